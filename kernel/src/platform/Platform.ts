import type { WorkerPort } from './WorkerPort.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

/** Where a node sits: the root (relay, DHT server, gossipsub hub) or an ordinary peer. */
export type NodeRole = 'root' | 'peer'

/** What a worker is for; each platform knows how to start each kind. */
export type WorkerKind = 'physics' | 'compute-cpu' | 'compute-webgpu' | 'scripts'

/** The libp2p services every platform provides and the kernel relies on. */
export interface KernelServices extends Record<string, unknown> {
  pubsub: GossipSub
  ping: Ping
  identify: Identify
}

/** The libp2p node a platform makes, as the kernel sees it. */
export type KernelLibp2p = Libp2p<KernelServices>

/** Per-node options a kernel passes to its platform's `createLibp2p`. */
export interface NetworkInit {
  /** The node's identity; the platform's own `privateKey` wins, else a fresh key. */
  privateKey?: PrivateKey
  /** Gossipsub's application-specific peer score: the kernel steers world traffic along its topology with it. */
  gossipScorer?: GossipScorer
}

/** A peer's application-specific gossipsub score (0 for a peer on the node's routes, negative off them). */
export interface GossipScorer {
  score(peerId: string): number
}

/** What differs between the browser, a headless host and the root. */
export interface Platform {
  readonly kind: 'browser' | 'node'
  /** The role of nodes built on this platform. @default 'peer' */
  readonly role: NodeRole
  /**
   * Makes (but does not start) the libp2p node with the transports and services for this runtime
   * and role. The kernel's NetworkManager starts and stops it.
   */
  createLibp2p(init: NetworkInit): Promise<KernelLibp2p>
  /** Starts a worker of the given kind; throws WorkerUnavailableError where this platform has none. */
  spawnWorker(kind: WorkerKind): WorkerPort
}

/** Thrown by `spawnWorker` when the platform cannot start that kind of worker. */
export class WorkerUnavailableError extends Error {
  override name = 'WorkerUnavailableError'
}
