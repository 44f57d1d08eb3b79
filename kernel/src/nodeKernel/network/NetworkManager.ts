import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { DirectDialer } from './directDialer.js'
import type { GossipRoutes } from './gossipRoutes.js'
import { bestTransport, peerIdOfAddr, transportOf } from './transportOf.js'
import { worldTopics } from '../worldTopics.js'
import type { KernelLibp2p, Platform } from '../../platform/Platform.js'
import type { KernelEvents, PeerTransport } from '../KernelEvents.js'
import type { SelfPose } from '../state/PresenceStore.js'
import type { StateManager, Verdict } from '../state/StateManager.js'
import type { WorldChannel, WorldTopics } from '../worldTopics.js'
import type { Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { Connection, PeerId, PrivateKey, Startable, TypedEventTarget } from '@libp2p/interface'

/** How a node links to others. Only the star through the root is built so far. */
export type Topology = 'hierarchy' | 'distributed' | 'emergent'

export interface NetworkManagerInit {
  /** How this node links to others. @default 'hierarchy' */
  topology?: Topology
  /** Multiaddrs of the root, each ending in `/p2p/<peerId>`. @default [] */
  bootstrap?: string[]
  /** Presence publications per second while the avatar moves (1/s while still). @default 20 */
  presenceHz?: number
  /** How often the root and direct peers are pinged. @default 2000 */
  pingIntervalMs?: number
  /** Upgrade to direct WebRTC links with other peers. @default true in browsers */
  directDial?: boolean
  /** Which of the other players a direct link is wanted with (the topology's mesh or cluster). @default every one */
  wantsDirect?: (peerId: string) => boolean
  /** Steers the world's gossip along the topology's links (gossipsub's application score). */
  routes?: GossipRoutes
  privateKey?: PrivateKey
}

export interface NetworkManagerComponents {
  platform: Platform
  state: StateManager
  events: TypedEventTarget<KernelEvents>
  /** The avatar pose to publish: physics' when present, else the last one set. */
  pose(): SelfPose | null
  /** Fetches the world's state this node lacks from its parent (state-sync protocol). */
  sync?(): void
}

/** One connected peer, as NodeStatus shows it. */
export interface PeerStatus { peerId: string; transport: PeerTransport; rttMs: number | null }

/** The node's libp2p side: connects to the root, carries the world's topics, measures peers. */
export interface NetworkManager extends Startable {
  /** This node's peerId once started. */
  peerId(): string | null
  /** The libp2p node, for bindings that need more (the root announces its addresses). */
  libp2p(): KernelLibp2p | null
  peers(): PeerStatus[]
  /** Round trip to the root in ms, from the latest ping. */
  pingMs(): number | null
  /** Subscribes world `id`'s topics and starts publishing presence. */
  joinWorld(id: string): void
  leaveWorld(): void
  publish(channel: WorldChannel, bytes: Uint8Array): void
  /** Closes every connection to `peerId` and refuses it from now on. */
  disconnect(peerId: string): void
}

/** Thrown by `start()` when no root address answers. */
export class RootUnreachableError extends Error {
  override name = 'RootUnreachableError'
}

const VERDICTS: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept, reject: TopicValidatorResult.Reject, ignore: TopicValidatorResult.Ignore
}

class DefaultNetworkManager implements NetworkManager {
  private node: KernelLibp2p | null = null
  private topics: WorldTopics | null = null
  private dialer: DirectDialer | null = null
  private readonly rtts = new Map<string, number>()
  private readonly banned = new Set<string>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private intervals: Array<ReturnType<typeof setInterval>> = []
  private shutdown = new AbortController()
  private lastPose = ''
  private lastPublishAt = 0
  private readonly rootId: string | null

  constructor(private readonly init: NetworkManagerInit, private readonly components: NetworkManagerComponents) {
    this.rootId = (init.bootstrap ?? []).map(peerIdOfAddr).find((id) => id != null) ?? null
  }

  isStarted(): boolean { return this.node != null }
  peerId(): string | null { return this.node?.peerId.toString() ?? null }
  libp2p(): KernelLibp2p | null { return this.node }
  pingMs(): number | null { return this.rootId == null ? null : this.rtts.get(this.rootId) ?? null }

  async start(): Promise<void> {
    const { platform } = this.components
    const node = await platform.createLibp2p({
      ...(this.init.privateKey == null ? {} : { privateKey: this.init.privateKey }),
      ...(this.init.routes == null ? {} : { gossipScorer: this.init.routes })
    })
    this.shutdown = new AbortController()
    node.addEventListener('connection:open', this.onConnectionOpen)
    node.addEventListener('peer:connect', this.onPeerConnect)
    node.addEventListener('peer:disconnect', this.onPeerDisconnect)
    node.services.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.node = node
    try {
      await node.start()
      await this.dialRoot()
    } catch (err) {
      await this.stop()
      throw err
    }
    const rootAddr = this.init.bootstrap?.[0]
    if ((this.init.directDial ?? platform.kind === 'browser') && rootAddr != null) this.dialer = new DirectDialer(node, rootAddr, this.init.wantsDirect == null ? {} : { wanted: this.init.wantsDirect })
    this.components.events.addEventListener('player:join', this.onPlayerJoin)
    this.intervals = [
      setInterval(this.publishPresence, 1000 / (this.init.presenceHz ?? 20)),
      setInterval(this.pingPeers, this.init.pingIntervalMs ?? 2000)
    ]
    this.pingPeers()
  }

  async stop(): Promise<void> {
    this.leaveWorld()
    this.shutdown.abort()
    for (const interval of this.intervals) clearInterval(interval)
    this.intervals = []
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.dialer?.stop()
    this.dialer = null
    this.components.events.removeEventListener('player:join', this.onPlayerJoin)
    const node = this.node
    this.node = null
    if (node == null) return
    node.services.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    node.removeEventListener('connection:open', this.onConnectionOpen)
    node.removeEventListener('peer:connect', this.onPeerConnect)
    node.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    await node.stop()
    this.rtts.clear()
  }

  peers(): PeerStatus[] {
    const byPeer = new Map<string, PeerTransport[]>()
    for (const connection of this.node?.getConnections() ?? []) {
      const id = connection.remotePeer.toString()
      byPeer.set(id, [...(byPeer.get(id) ?? []), transportOf(connection)])
    }
    return [...byPeer].map(([peerId, transports]) => ({ peerId, transport: bestTransport(transports), rttMs: this.rtts.get(peerId) ?? null }))
  }

  joinWorld(id: string): void {
    const pubsub = this.requireNode().services.pubsub
    this.leaveWorld()
    this.topics = worldTopics(id)
    for (const channel of ['presence', 'state', 'chat'] as const) {
      const topic = this.topics[channel]
      pubsub.topicValidators.set(topic, (peer: PeerId, message: Message) => {
        // Unsigned messages never get here (StrictSign), so `from` is the real author.
        if (message.type !== 'signed') return TopicValidatorResult.Reject
        const verdict = this.components.state.receive(channel, message.from.toString(), message.data)
        // Reject scores down the peer that handed the message over; when that is a relay (the root
        // as hub) rather than the author, ignore instead, so one bad author cannot cut the hub link.
        return verdict === 'reject' && !peer.equals(message.from) ? TopicValidatorResult.Ignore : VERDICTS[verdict]
      })
      pubsub.subscribe(topic)
    }
    // Once on joining, and once more after the gossipsub mesh formed (heartbeats are 1 s), so
    // updates published while this node was not yet in the mesh are fetched too.
    this.scheduleSync(500)
    this.scheduleSync(2500)
  }

  leaveWorld(): void {
    const topics = this.topics
    this.topics = null
    if (topics == null || this.node == null) return
    for (const topic of Object.values(topics)) {
      this.node.services.pubsub.unsubscribe(topic)
      this.node.services.pubsub.topicValidators.delete(topic)
    }
  }

  publish(channel: WorldChannel, bytes: Uint8Array): void {
    if (this.node == null || this.topics == null) return
    this.node.services.pubsub.publish(this.topics[channel], bytes).catch(() => {
      // Nobody subscribed yet, or the node is stopping: presence repeats, and state catches up by sync.
    })
  }

  disconnect(peerId: string): void {
    if (peerId === this.rootId) return
    this.banned.add(peerId)
    this.components.state.peerGone(peerId)
    void this.node?.hangUp(peerIdFromString(peerId)).catch(() => {})
  }

  private async dialRoot(): Promise<void> {
    const addrs = this.init.bootstrap ?? []
    if (addrs.length === 0) return
    const errors: string[] = []
    // A second pass with more time: a page whose thread is stalled for seconds (a software renderer
    // compiling shaders on a busy machine) can see its timeout fire before the open socket is read.
    for (const timeoutMs of [10_000, 20_000]) {
      if (this.shutdown.signal.aborted) break
      errors.length = 0
      for (const addr of addrs) {
        try {
          await this.requireNode().dial(multiaddr(addr), { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(timeoutMs)]) })
          return
        } catch (err) {
          // A refused browser WSS dial rejects with a bare Event (notes/libp2p.md, 9): say something useful.
          errors.push(`${addr}: ${err instanceof Error ? err.message : 'connection refused (is the root running, and is its certificate trusted?)'}`)
        }
      }
    }
    throw new RootUnreachableError(`Could not reach the root. Check the address and that the root is running. Tried ${errors.join('; ')}`)
  }

  private readonly publishPresence = (): void => {
    if (this.topics == null || this.components.platform.role === 'root') return
    const pose = this.components.pose()
    if (pose == null) return
    const key = JSON.stringify([pose.position, pose.yaw, pose.velocity])
    const now = Date.now()
    if (key === this.lastPose && now - this.lastPublishAt < 1000) return
    const bytes = this.components.state.setSelfPose(pose)
    if (bytes == null) return
    this.lastPose = key
    this.lastPublishAt = now
    this.publish('presence', bytes)
  }

  private readonly pingPeers = (): void => {
    const node = this.node
    if (node == null) return
    for (const connection of node.getConnections()) {
      if (connection.limits != null) continue // relayed: the root's limits are for signalling only
      const id = connection.remotePeer.toString()
      node.services.ping.ping(connection.remotePeer, { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(5000)]) })
        .then((rtt) => { this.rtts.set(id, Math.round(rtt * 10) / 10) })
        .catch(() => {})
    }
  }

  /** The root went away (restart, network change): dial again, backing off to 30 s between tries. */
  private redialRoot(delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (this.node == null || this.shutdown.signal.aborted) return
      this.dialRoot()
        .then(() => { if (this.topics != null) this.scheduleSync(300) })
        .catch(() => { this.redialRoot(Math.min(delayMs * 2, 30_000)) })
    }, delayMs)
    this.timers.add(timer)
  }

  private scheduleSync(delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (this.topics != null) this.components.sync?.()
    }, delayMs)
    this.timers.add(timer)
  }

  private readonly onSubscriptionChange = (event: CustomEvent<SubscriptionChangeData>): void => {
    const topic = this.topics?.state
    // The parent (re)subscribing means it restarted or reconnected: exchange what either lacks.
    if (event.detail.peerId.toString() !== this.rootId) return
    if (event.detail.subscriptions.some((s) => s.subscribe && s.topic === topic)) this.scheduleSync(300)
  }

  private readonly onConnectionOpen = (event: CustomEvent<Connection>): void => {
    if (this.banned.has(event.detail.remotePeer.toString())) void event.detail.close().catch(() => {})
  }

  private readonly onPeerConnect = (event: CustomEvent<PeerId>): void => {
    const peerId = event.detail.toString()
    const transport = this.peers().find((p) => p.peerId === peerId)?.transport ?? 'other'
    this.components.events.dispatchEvent(new CustomEvent('peer:connect', { detail: { peerId, transport } }))
  }

  private readonly onPeerDisconnect = (event: CustomEvent<PeerId>): void => {
    const peerId = event.detail.toString()
    this.rtts.delete(peerId)
    if (peerId === this.rootId && this.node != null) this.redialRoot(1000)
    this.components.events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: { peerId } }))
  }

  private readonly onPlayerJoin = (event: CustomEvent<{ peerId: string }>): void => {
    this.dialer?.consider(event.detail.peerId)
  }

  private requireNode(): KernelLibp2p {
    if (this.node == null) throw new Error('NetworkManager is not started; call start() first.')
    return this.node
  }
}

/** Builds the NetworkManager: `networkManager(init)(components)`. */
export function networkManager(init: NetworkManagerInit = {}) {
  return (components: NetworkManagerComponents): NetworkManager => new DefaultNetworkManager(init, components)
}
