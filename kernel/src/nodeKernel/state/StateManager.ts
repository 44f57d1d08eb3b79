import { chatBucket } from './ChatLog.js'
import { encodeStateMessage } from './stateMessages.js'
import { NotInWorldError, NotPersistedError } from './stateManagerApi.js'
import { MAX_STATE_BYTES } from './stateSchemas.js'
import { TokenBuckets } from './TokenBucket.js'
import { UpdateRelay } from './UpdateRelay.js'
import { worldHistory, worldStateAt } from './worldHistory.js'
import { WorldReplica } from './WorldReplica.js'
import { WorldState } from './WorldState.js'
import { worldView } from './worldView.js'
import type { ChatView, DroppedCounts, PresenceView, StateManager, StateManagerComponents, StateManagerInit, StateStats, Verdict } from './stateManagerApi.js'
import type { SelfPose } from './PresenceStore.js'
import type { SyncSource } from './StateSync.js'
import type { AckStatus } from './syncMessages.js'
import type { WorldStateAt, WorldVersion } from './worldHistory.js'
import type { EntityData, PlacePropInit, SettingKey, Transform, WorldSettings } from './worldSchema.js'
import type { WorldView } from './worldView.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { LoadedWorld } from '../LoadedWorld.js'
import type { WorldChannel } from '../worldTopics.js'
import type { VersionVector } from 'loro-crdt'

export { NotInWorldError, NotPersistedError } from './stateManagerApi.js'
export type { ChatView, DroppedCounts, PresenceView, StateManager, StateManagerComponents, StateManagerInit, StateStats, Verdict } from './stateManagerApi.js'

class DefaultStateManager implements StateManager {
  readonly presence: PresenceView = { players: () => this.current?.presence.players() ?? [] }
  readonly chat: ChatView = {
    send: (text) => {
      const { message, done } = this.writeChat(text)
      done.catch(() => {}) // counted in writeChat; callers that need the ack use sendChat
      return message
    },
    messages: () => this.current?.replica.world().chatMessages() ?? []
  }

  private current: WorldState | null = null
  private started = false
  private counts: DroppedCounts = { presence: 0, state: 0, chat: 0 }
  private readonly statCounts: StateStats = { applied: 0, replays: 0, refused: {}, persistErrors: 0 }
  private readonly strikes = new Map<string, number>()
  private readonly rejects = new Map<string, number>()
  private readonly buckets: Record<WorldChannel | 'sync', TokenBuckets>
  /** Replicas kept across enter/leave (persisting nodes): the world entered and worlds children propagate. */
  private readonly replicas = new Map<string, WorldReplica>()
  private readonly relays: UpdateRelay

  constructor(private readonly init: StateManagerInit, private readonly components: StateManagerComponents) {
    this.buckets = {
      presence: new TokenBuckets(init.presenceRate ?? { ratePerSecond: 60, burst: 120 }),
      state: new TokenBuckets(init.stateRate ?? { ratePerSecond: 20, burst: 40 }),
      chat: new TokenBuckets({ ratePerSecond: 0.5, burst: 5 }),
      sync: new TokenBuckets(init.syncRate ?? { ratePerSecond: 20, burst: 60 })
    }
    this.relays = new UpdateRelay((update) => { this.components.publish('state', encodeStateMessage({ kind: 'update', update })) }, MAX_STATE_BYTES)
  }

  isStarted(): boolean { return this.started }
  start(): void { this.started = true }

  async stop(): Promise<void> {
    this.leaveWorld()
    const replicas = [...this.replicas.values()]
    this.replicas.clear()
    await Promise.allSettled(replicas.map((r) => r.flushed()))
    for (const replica of replicas) replica.destroy()
    this.started = false
  }

  world(): WorldView | null {
    const current = this.current
    return current == null ? null : worldView(current.world, current.replica)
  }

  enterWorld(world: Pick<LoadedWorld, 'id' | 'name' | 'rules'>, self: { peerId: string; name: string }): void {
    this.leaveWorld()
    const { events, publish } = this.components
    this.buckets.chat = new TokenBuckets(chatBucket(world.rules.chat))
    const replica = this.replica(world.id, true) ?? new WorldReplica(world.id, null)
    this.current = new WorldState({ id: world.id, name: world.name, rules: world.rules }, self,
      this.init.presenceTimeoutMs ?? 5000, replica, {
        publish,
        onChat: (message) => events.dispatchEvent(new CustomEvent('chat:message', { detail: message })),
        onLeave: (peerId) => events.dispatchEvent(new CustomEvent('player:leave', { detail: { peerId } })),
        isAuthority: (peerId) => peerId === (this.components.parent?.() ?? self.peerId),
        onPersistError: this.onPersistError
      })
  }

  leaveWorld(): void {
    const current = this.current
    this.current = null
    this.relays.clear()
    current?.destroy()
    if (current != null && !this.replicas.has(current.world.id)) current.replica.destroy()
    for (const bucket of Object.values(this.buckets)) bucket.clear()
    this.strikes.clear()
    this.rejects.clear()
  }

  setSelfPose(pose: SelfPose): Uint8Array | null {
    return this.current?.presence.setSelf(pose) ?? null
  }

  receive(channel: WorldChannel, from: string, bytes: Uint8Array): Verdict {
    const world = this.current
    if (world == null) return 'ignore'
    if (!this.buckets[channel].take(from)) {
      this.drop(channel, from, 'rate')
      this.strikeCount(from, this.strikes, this.init.disconnectAfter ?? 100)
      return 'ignore'
    }
    const verdict = world.receive(channel, from, bytes)
    if (verdict.ok) {
      if (channel !== 'presence') this.count(verdict.replay === true ? 'replays' : 'applied')
      // Updates that waited for this one were refused ('ignore': not forwarded) when they came;
      // the world's host passes them on now, so members that lack them need not wait for a sync.
      if (verdict.retried != null && this.components.parent?.() == null) this.relays.add(world.replica, verdict.retried)
      if (verdict.joined != null) {
        const name = world.presence.players().find((p) => p.peerId === verdict.joined)?.name ?? ''
        this.components.events.dispatchEvent(new CustomEvent('player:join', { detail: { peerId: verdict.joined, name } }))
      }
      if (verdict.presence != null) {
        this.components.events.dispatchEvent(new CustomEvent('presence:update', { detail: { peerId: from, ...verdict.presence } }))
      }
      return 'accept'
    }
    this.statCounts.refused[verdict.reason] = (this.statCounts.refused[verdict.reason] ?? 0) + 1
    if (verdict.reason === 'pending') {
      // Built on history this node lacks: not the sender's fault; fetch the history from the parent.
      this.components.requestSync?.()
      return 'ignore'
    }
    this.drop(channel, from, verdict.reason)
    this.strikeCount(from, this.rejects, this.init.rejectAfter ?? 20)
    return 'reject'
  }

  async placeProp(init: PlacePropInit): Promise<string> {
    const world = this.requireWorld('placing a prop')
    const { id, update } = world.replica.world().placeProp(init, world.self.peerId)
    await this.commit(world, 'state', update)
    return id
  }

  async moveProp(id: string, transform: Partial<Transform>): Promise<void> {
    const world = this.requireWorld('moving a prop')
    await this.commit(world, 'state', world.replica.world().moveProp(id, transform))
  }

  async removeProp(id: string): Promise<void> {
    const world = this.requireWorld('removing a prop')
    await this.commit(world, 'state', world.replica.world().removeProp(id))
  }

  async setEntityData(id: string, data: EntityData): Promise<void> {
    const world = this.requireWorld('changing entity data')
    await this.commit(world, 'state', world.replica.world().setEntityData(id, data))
  }

  async sendChat(text: string): Promise<ChatMessage> {
    const { message, done } = this.writeChat(text)
    await done
    return message
  }

  async setSetting<K extends SettingKey>(key: K, value: NonNullable<WorldSettings[K]>): Promise<void> {
    const world = this.requireWorld('changing a setting')
    await this.commit(world, 'state', world.replica.world().setSetting(key, value))
  }

  history(): WorldVersion[] {
    return worldHistory(this.requireWorld('reading history').replica.world().doc)
  }

  stateAt(version: string): WorldStateAt {
    return worldStateAt(this.requireWorld('reading history').replica.world().doc, version)
  }

  peerGone(peerId: string): void {
    this.current?.presence.remove(peerId)
    for (const bucket of Object.values(this.buckets)) bucket.delete(peerId)
  }

  dropped(): DroppedCounts { return { ...this.counts } }

  stats(): StateStats { return { ...this.statCounts, refused: { ...this.statCounts.refused } } }

  // SyncHost: what the state-sync protocol asks of this node.

  syncTarget(): { world: string; version: VersionVector; missing(theirs: VersionVector): Uint8Array } | null {
    const current = this.current
    if (current == null) return null
    return { world: current.world.id, version: current.replica.version(), missing: (theirs) => current.replica.missing(theirs) }
  }

  syncSource(world: string, from: string): SyncSource | null {
    const answer = this.init.answerSync ?? true
    if (!(typeof answer === 'function' ? answer() : answer)) return null
    if (from !== this.components.parent?.() && !this.buckets.sync.take(from)) return null
    return this.source(world)
  }

  receiveSynced(from: string, world: string, update: Uint8Array): void {
    const current = this.current
    if (current == null || current.world.id !== world) return
    const result = current.receiveRelayed(update, from === this.components.parent?.())
    if (result.ok) this.count(result.replay ? 'replays' : 'applied')
    else this.statCounts.refused[result.reason] = (this.statCounts.refused[result.reason] ?? 0) + 1
  }

  async receivePush(from: string, world: string, update: Uint8Array): Promise<{ status: AckStatus; reason: string }> {
    if (!this.buckets.sync.take(from)) {
      this.drop('state', from, 'rate')
      this.strikeCount(from, this.strikes, this.init.disconnectAfter ?? 100)
      return { status: 'refused', reason: 'rate' }
    }
    const current = this.current?.world.id === world ? this.current : null
    const replica = current?.replica ?? this.replica(world, true)
    if (replica == null) return { status: 'refused', reason: `this node does not keep world ${world}` }
    // Children may not change the settings of a world this node hosts; a world it only keeps
    // for a child host (storage mode 'propagate') takes its settings from that host.
    const authority = current == null
    const result = current?.receiveRelayed(update, authority) ?? replica.receive(update, { kind: 'relayed', authority }, 10_000)
    if (!result.ok) {
      this.statCounts.refused[result.reason] = (this.statCounts.refused[result.reason] ?? 0) + 1
      if (result.reason !== 'pending') {
        this.drop('state', from, result.reason)
        this.strikeCount(from, this.rejects, this.init.rejectAfter ?? 20)
      }
      return { status: 'refused', reason: result.reason }
    }
    this.count(result.replay ? 'replays' : 'applied')
    // History a child pushed (it published while nobody heard it, or kept it through a cut)
    // goes on to the world's other members now rather than at their next sync.
    if (current != null && !result.replay) this.relays.add(current.replica, [...result.spans, ...(result.retried ?? [])])
    try {
      await result.durable
    } catch (err) {
      this.onPersistError(err)
      return { status: 'refused', reason: 'the parent could not store it' }
    }
    return { status: result.replay ? 'known' : 'stored', reason: '' }
  }

  strike(from: string): void {
    this.strikeCount(from, this.rejects, this.init.rejectAfter ?? 20)
  }

  private source(world: string): SyncSource | null {
    const current = this.current?.world.id === world ? this.current.replica : null
    const replica = current ?? this.replica(world, false)
    if (replica == null) return null
    const keeps = replica.persists() || this.components.parent?.() == null
    return { keeps, version: () => replica.version(), missing: (theirs) => replica.missing(theirs) }
  }

  /** The persisted replica of `world` (opened on first use; with `create` false only if stored already). */
  private replica(world: string, create: boolean): WorldReplica | null {
    const persistence = this.init.persistence
    if (persistence == null) return null
    let replica = this.replicas.get(world)
    if (replica == null) {
      if (!create && !persistence.has(world)) return null
      replica = new WorldReplica(world, persistence.open(world), this.onPersistError)
      this.replicas.set(world, replica)
    }
    return replica
  }

  private writeChat(text: string): { message: ChatMessage; done: Promise<void> } {
    const world = this.requireWorld('chatting')
    const message = world.chat.compose(text)
    const done = this.commit(world, 'chat', world.replica.world().appendChat(message))
    this.components.events.dispatchEvent(new CustomEvent('chat:message', { detail: message }))
    return { message, done }
  }

  private async commit(world: WorldState, channel: 'state' | 'chat', update: Uint8Array): Promise<void> {
    const durable = world.commit(channel, update)
    const push = this.components.push
    if ((this.init.storageMode ?? 'local') === 'propagate' && push != null && this.components.parent?.() != null) {
      try {
        await push(world.world.id, update)
      } catch (err) {
        throw new NotPersistedError(`The write is applied here but the root did not confirm keeping it: ${err instanceof Error ? err.message : String(err)} It is sent again on the next sync.`)
      }
    }
    await durable.catch((err: unknown) => {
      this.onPersistError(err)
      throw new NotPersistedError(`The write is applied but could not be stored on disk: ${String(err)}`)
    })
  }

  private count(key: 'applied' | 'replays'): void {
    this.statCounts[key]++
  }

  private strikeCount(from: string, table: Map<string, number>, limit: number): void {
    const strikes = (table.get(from) ?? 0) + 1
    table.set(from, strikes)
    if (strikes >= limit) {
      table.delete(from)
      this.components.disconnect(from)
    }
  }

  private readonly onPersistError = (err: unknown): void => {
    this.statCounts.persistErrors++
    this.components.events.dispatchEvent(new CustomEvent('error', { detail: err instanceof Error ? err : new Error(String(err)) }))
  }

  private drop(channel: WorldChannel, from: string, reason: DropReason): void {
    this.counts[channel]++
    this.components.events.dispatchEvent(new CustomEvent('message:dropped', { detail: { channel, from, reason } }))
  }

  private requireWorld(what: string): WorldState {
    if (this.current == null) throw new NotInWorldError(`Enter a world (kernel.enterWorld) before ${what}.`)
    return this.current
  }
}

/** Builds the StateManager: `stateManager(init)(components)`. */
export function stateManager(init: StateManagerInit = {}) {
  return (components: StateManagerComponents): StateManager => new DefaultStateManager(init, components)
}
