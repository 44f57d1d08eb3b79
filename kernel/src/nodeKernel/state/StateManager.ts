import { chatBucket } from './ChatLog.js'
import { TokenBuckets } from './TokenBucket.js'
import { WorldState } from './WorldState.js'
import type { PresencePlayer, SelfPose } from './PresenceStore.js'
import type { TokenBucketInit } from './TokenBucket.js'
import type { ChatMessage, DropReason, KernelEvents } from '../KernelEvents.js'
import type { LoadedWorld } from '../LoadedWorld.js'
import type { WorldChannel } from '../worldTopics.js'
import type { Startable, TypedEventTarget } from '@libp2p/interface'
import type { BasisRules } from '@peercompute/world-sdk'

export interface StateManagerInit {
  /** Per-peer limit on presence messages. @default { ratePerSecond: 60, burst: 120 } */
  presenceRate?: TokenBucketInit
  /** Per-peer limit on state-topic messages. @default { ratePerSecond: 20, burst: 40 } */
  stateRate?: TokenBucketInit
  /** Messages over a rate limit after which the sender is disconnected and banned. @default 100 */
  disconnectAfter?: number
  /** A remote player leaves after this long without presence. @default 5000 */
  presenceTimeoutMs?: number
  /**
   * Answer other nodes' sync requests with the history they lack. The kernel turns it on for the
   * root and for nodes without one, so a join costs one reply rather than one per member.
   * @default true
   */
  answerSync?: boolean
}

export interface StateManagerComponents {
  events: TypedEventTarget<KernelEvents>
  /** Hands an outgoing message to the network. */
  publish(channel: WorldChannel, bytes: Uint8Array): void
  /** Disconnects and bans a peer that keeps breaking the rate limits. */
  disconnect(peerId: string): void
}

/** Whether an incoming message is merged and forwarded, refused (sender scored down), or ignored. */
export type Verdict = 'accept' | 'reject' | 'ignore'

/** Messages refused at the boundary, by channel. */
export interface DroppedCounts { presence: number; state: number; chat: number }

/** Presence of the current world, as bindings read it. */
export interface PresenceView {
  /** Remote players with their latest samples (sender's `time`, local `receivedAt`), plus self. */
  players(): PresencePlayer[]
}

/** Chat of the current world. */
export interface ChatView {
  /** Sends a line; throws ChatRejectedError (rules) or NotInWorldError. */
  send(text: string): ChatMessage
  /** The newest lines in converged order. */
  messages(): ChatMessage[]
}

/** The only writer of world state: presence, chat and the entities document of the world entered. */
export interface StateManager extends Startable {
  readonly presence: PresenceView
  readonly chat: ChatView
  /** The world entered, or null. */
  world(): { id: string; name: string; rules: BasisRules } | null
  enterWorld(world: Pick<LoadedWorld, 'id' | 'name' | 'rules'>, self: { peerId: string; name: string }): void
  leaveWorld(): void
  /** Sets this node's avatar pose; returns the presence bytes to publish (null outside a world). */
  setSelfPose(pose: SelfPose): Uint8Array | null
  /** A state-topic message asking others for what this node lacks (null outside a world). */
  syncRequest(): Uint8Array | null
  /** Checks, rate-limits and merges a message that `from` published. Never throws. */
  receive(channel: WorldChannel, from: string, bytes: Uint8Array): Verdict
  /** A peer's connection closed: forget its presence and buckets. */
  peerGone(peerId: string): void
  dropped(): DroppedCounts
}

/** Thrown when an action needs a world and none was entered. */
export class NotInWorldError extends Error {
  override name = 'NotInWorldError'
}

class DefaultStateManager implements StateManager {
  readonly presence: PresenceView = { players: () => this.current?.presence.players() ?? [] }
  readonly chat: ChatView = {
    send: (text) => this.requireWorld().chat.send(text),
    messages: () => this.current?.chat.messages() ?? []
  }

  private current: WorldState | null = null
  private started = false
  private counts: DroppedCounts = { presence: 0, state: 0, chat: 0 }
  private readonly strikes = new Map<string, number>()
  private readonly buckets: Record<WorldChannel, TokenBuckets>

  constructor(private readonly init: StateManagerInit, private readonly components: StateManagerComponents) {
    this.buckets = {
      presence: new TokenBuckets(init.presenceRate ?? { ratePerSecond: 60, burst: 120 }),
      state: new TokenBuckets(init.stateRate ?? { ratePerSecond: 20, burst: 40 }),
      chat: new TokenBuckets({ ratePerSecond: 0.5, burst: 5 })
    }
  }

  isStarted(): boolean { return this.started }
  start(): void { this.started = true }

  stop(): void {
    this.leaveWorld()
    this.started = false
  }

  world(): { id: string; name: string; rules: BasisRules } | null {
    return this.current?.world ?? null
  }

  enterWorld(world: Pick<LoadedWorld, 'id' | 'name' | 'rules'>, self: { peerId: string; name: string }): void {
    this.leaveWorld()
    const { events, publish } = this.components
    this.buckets.chat = new TokenBuckets(chatBucket(world.rules.chat))
    this.current = new WorldState({ id: world.id, name: world.name, rules: world.rules }, self,
      this.init.presenceTimeoutMs ?? 5000, {
        answersSync: this.init.answerSync ?? true,
        publish,
        onChat: (message) => events.dispatchEvent(new CustomEvent('chat:message', { detail: message })),
        onLeave: (peerId) => events.dispatchEvent(new CustomEvent('player:leave', { detail: { peerId } }))
      })
  }

  leaveWorld(): void {
    this.current?.destroy()
    this.current = null
    for (const bucket of Object.values(this.buckets)) bucket.clear()
    this.strikes.clear()
  }

  setSelfPose(pose: SelfPose): Uint8Array | null {
    return this.current?.presence.setSelf(pose) ?? null
  }

  syncRequest(): Uint8Array | null {
    return this.current?.syncRequest() ?? null
  }

  receive(channel: WorldChannel, from: string, bytes: Uint8Array): Verdict {
    const world = this.current
    if (world == null) return 'ignore'
    if (!this.buckets[channel].take(from)) {
      this.drop(channel, from, 'rate')
      const strikes = (this.strikes.get(from) ?? 0) + 1
      this.strikes.set(from, strikes)
      if (strikes >= (this.init.disconnectAfter ?? 100)) {
        this.strikes.delete(from)
        this.components.disconnect(from)
      }
      return 'ignore'
    }
    const verdict = world.receive(channel, from, bytes)
    if (verdict.ok) {
      if (verdict.joined != null) {
        const name = world.presence.players().find((p) => p.peerId === verdict.joined)?.name ?? ''
        this.components.events.dispatchEvent(new CustomEvent('player:join', { detail: { peerId: verdict.joined, name } }))
      }
      if (verdict.presence != null) {
        this.components.events.dispatchEvent(new CustomEvent('presence:update', { detail: { peerId: from, ...verdict.presence } }))
      }
      return 'accept'
    }
    if (verdict.reason === 'pending') {
      // An update built on history this node lacks: not the sender's fault; ask for the history.
      const request = world.syncRequest()
      this.components.publish('state', request)
      return 'ignore'
    }
    this.drop(channel, from, verdict.reason)
    return 'reject'
  }

  peerGone(peerId: string): void {
    this.current?.presence.remove(peerId)
    for (const bucket of Object.values(this.buckets)) bucket.delete(peerId)
  }

  dropped(): DroppedCounts {
    return { ...this.counts }
  }

  private drop(channel: WorldChannel, from: string, reason: DropReason): void {
    this.counts[channel]++
    this.components.events.dispatchEvent(new CustomEvent('message:dropped', { detail: { channel, from, reason } }))
  }

  private requireWorld(): WorldState {
    if (this.current == null) throw new NotInWorldError('Enter a world (kernel.enterWorld) before chatting.')
    return this.current
  }
}

/** Builds the StateManager: `stateManager(init)(components)`. */
export function stateManager(init: StateManagerInit = {}) {
  return (components: StateManagerComponents): StateManager => new DefaultStateManager(init, components)
}
