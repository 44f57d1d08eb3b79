import type { GossipScorer, NodeRole } from './Platform.js'
import type { GossipsubOpts } from '@libp2p/gossipsub'

/** The private Kademlia protocol: PeerCompute nodes never join the public IPFS DHT. */
export const DHT_PROTOCOL = '/peercompute/kad/1.0.0'

/**
 * Gossipsub settings shared by every platform, with the root's hub settings (notes/libp2p.md, 2 and 3).
 * `scorer`, when given, is the application-specific score: the kernel's topology routes (gossipRoutes.ts).
 */
export function gossipsubOptions(role: NodeRole, scorer?: GossipScorer): Partial<GossipsubOpts> {
  return {
    // A lone node publishing (first in a world) is normal, not an error.
    allowPublishToZeroTopicPeers: true,
    // Presence repeats 20 times a second; no need to remember it long.
    seenTTL: 30_000,
    // A parent may refuse a new member's graft for the moment before it joins the topology (its
    // score is still the off-route one, gossipRoutes.ts): the member retries after 5 s, not 60 s.
    pruneBackoff: 5_000,
    // A graft this soon after a prune is a flood (the default is a sixth of the default backoff).
    graftFloodThreshold: 1_000,
    // Peers behind one address (NAT, proxy, loopback tests) must not be scored as a Sybil swarm.
    scoreParams: {
      IPColocationFactorWeight: 0,
      // World traffic follows the topology's links: peers off them score below the publish threshold.
      ...(scorer == null ? {} : { appSpecificScore: (peerId: string) => scorer.score(peerId), appSpecificWeight: 1 })
    },
    ...(role === 'root'
      // The root is everyone's hub until other topologies move fan-out off it: with the default D
      // its mesh stops at ~12 peers and the rest get messages only through slow gossip.
      ? { D: 64, Dlo: 32, Dhi: 256, Dout: 8, Dscore: 16 }
      : {})
  }
}
