import { isIP } from 'node:net'
import { createNode } from '@peercompute/kernel'
import type { LoadedWorld, PeerComputeNode, StatePersistence } from '@peercompute/kernel'
import { nodePlatform } from '@peercompute/kernel/node'
import type { PrivateKey } from '@libp2p/interface'

/** What the root's libp2p node needs. */
export interface RootP2pNodeInit {
  /** Listen address (an IP; 0.0.0.0 or :: for all interfaces). */
  host: string
  /** Port of the secure WebSocket listener. */
  port: number
  /** Host name or IP that clients dial, put in the announced multiaddrs. */
  publicHost: string
  /** Port that clients dial, when a proxy in front listens elsewhere. @default port */
  publicPort?: number
  /** PEM certificate and key, the same as the HTTPS server's. */
  tls: { cert: string; key: string }
  /** The root's persistent libp2p identity. */
  privateKey: PrivateKey
  /** The world whose topics the root carries as gossipsub hub, with its real rules. */
  world: LoadedWorld
  /** Where the root keeps world state (its world, and worlds children propagate). @default in memory only */
  persistence?: StatePersistence
}

/** The root's running libp2p node (relay, DHT server, gossipsub), run by the shared kernel. */
export interface RootP2pNode {
  readonly peerId: string
  /** Announced secure WebSocket multiaddrs, each ending in `/p2p/<peerId>`. */
  readonly multiaddrs: string[]
  /** Number of peers connected right now. */
  peers(): number
  /** Publishes `bytes` on gossipsub `topic` to every subscribed peer (none subscribed is fine). */
  announce(topic: string, bytes: Uint8Array): Promise<void>
  /** The kernel node, for state and metrics. */
  readonly node: PeerComputeNode
  stop(): Promise<void>
}

/** Error raised when the root's libp2p node cannot be configured or started. */
export class RootP2pError extends Error {
  override name = 'RootP2pError'
}

function ipPart(host: string, what: string): string {
  const family = isIP(host)
  if (family === 4) return `/ip4/${host}`
  if (family === 6) return `/ip6/${host}`
  throw new RootP2pError(`${what} must be an IP address such as 0.0.0.0 or ::, got "${host}".`)
}

function hostPart(host: string): string {
  return isIP(host) === 0 ? `/dns4/${host}` : ipPart(host, '--public-host')
}

/** Starts the kernel as the root: libp2p over WSS at `init.port`, carrying `init.world`'s topics. */
export async function startRootP2pNode(init: RootP2pNodeInit): Promise<RootP2pNode> {
  const listen = [`${ipPart(init.host, '--host')}/tcp/${init.port}/tls/ws`]
  const announce = [`${hostPart(init.publicHost)}/tcp/${init.publicPort ?? init.port}/tls/ws`]
  const node: PeerComputeNode = await createNode({
    // A root announced on a private or loopback address serves a LAN (or tests): its DHT must keep such addresses.
    platform: nodePlatform({ role: 'root', listen, announce, https: init.tls, privateKey: init.privateKey, dhtPrivateAddresses: isPrivateHost(init.publicHost) }),
    world: init.world.id,
    ...(init.persistence === undefined ? {} : { persistence: init.persistence }),
  })
  await node.start()
  const peerId = node.getStatus().peerId
  try {
    if (peerId === null) throw new RootP2pError('The root libp2p node started without a peer id; this is a bug in the kernel.')
    await node.kernel.enterWorld(init.world)
  } catch (err) {
    await node.stop()
    throw err
  }
  return {
    peerId,
    multiaddrs: announce.map((a) => `${a}/p2p/${peerId}`),
    peers: () => node.getStatus().peers.length,
    announce: async (topic, bytes) => {
      await node.kernel.network.libp2p()?.services.pubsub.publish(topic, bytes)
    },
    node,
    stop: () => node.stop(),
  }
}

function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true
  if (isIP(host) === 4) return /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(host)
  return isIP(host) === 6 && /^(::1$|f[cd]|fe[89ab])/i.test(host)
}
