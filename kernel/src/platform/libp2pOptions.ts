import type { NodeRole } from './Platform.js'
import type { GossipsubOpts } from '@libp2p/gossipsub'

/** The private Kademlia protocol: PeerCompute nodes never join the public IPFS DHT. */
export const DHT_PROTOCOL = '/peercompute/kad/1.0.0'

/** Gossipsub settings shared by every platform, with the root's hub settings (notes/libp2p.md, 2 and 3). */
export function gossipsubOptions(role: NodeRole): Partial<GossipsubOpts> {
  return {
    // A lone node publishing (first in a world) is normal, not an error.
    allowPublishToZeroTopicPeers: true,
    // Presence repeats 20 times a second; no need to remember it long.
    seenTTL: 30_000,
    // Peers behind one address (NAT, proxy, loopback tests) must not be scored as a Sybil swarm.
    scoreParams: { IPColocationFactorWeight: 0 },
    ...(role === 'root'
      // The root is everyone's hub until other topologies move fan-out off it: with the default D
      // its mesh stops at ~12 peers and the rest get messages only through slow gossip.
      ? { D: 64, Dlo: 32, Dhi: 256, Dout: 8, Dscore: 16 }
      : {})
  }
}
