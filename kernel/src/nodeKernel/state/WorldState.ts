import { ChatLog } from './ChatLog.js'
import { PresenceStore } from './PresenceStore.js'
import { MAX_CHAT_MESSAGE_BYTES, MAX_STATE_BYTES } from './stateSchemas.js'
import { decodeStateMessage, encodeStateMessage } from './stateMessages.js'
import type { ReplicaResult, WorldReplica } from './WorldReplica.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { WorldChannel } from '../worldTopics.js'
import type { BasisRules } from '@peercompute/world-sdk'
import type { IdSpan } from 'loro-crdt'

/** What a world's state needs from around it. */
export interface WorldStateHooks {
  publish(channel: WorldChannel, bytes: Uint8Array): void
  onChat(message: ChatMessage): void
  onLeave(peerId: string): void
  /** Whether `peerId` may change world settings (the world's host). */
  isAuthority(peerId: string): boolean
  /** Counts a write that failed to reach the disk (persisting nodes only). */
  onPersistError(err: unknown): void
}

/** The outcome of one incoming message: accepted (maybe a new player, maybe a replay), or dropped with a reason. */
export type WorldVerdict =
  | { ok: true; joined?: string; presence?: { sentAt: number; receivedAt: number }; replay?: boolean; retried?: IdSpan[] }
  | { ok: false; reason: DropReason | 'pending' }

/**
 * Everything one world holds on this node: presence (an EphemeralStore, not history), the chat
 * rules for this node's lines, and the world's replica (the Loro document with its guard and,
 * on the root, its log). Local writes leave through `hooks.publish`; incoming ones are checked, then merged.
 */
export class WorldState {
  readonly presence: PresenceStore
  readonly chat: ChatLog

  constructor(
    readonly world: { id: string; name: string; rules: BasisRules },
    readonly self: { peerId: string; name: string },
    presenceTimeoutMs: number,
    readonly replica: WorldReplica,
    private readonly hooks: WorldStateHooks
  ) {
    this.presence = new PresenceStore(self.peerId, self.name, world.rules.limits.players, presenceTimeoutMs, hooks.onLeave)
    this.chat = new ChatLog(world.rules.chat, self)
  }

  /** Checks and merges one message `from` published (already rate-limited by the caller). Never throws. */
  receive(channel: WorldChannel, from: string, bytes: Uint8Array): WorldVerdict {
    if (channel === 'presence') {
      const verdict = this.presence.receive(from, bytes)
      if (!verdict.ok) return verdict
      const presence = { sentAt: verdict.sentAt, receivedAt: verdict.receivedAt }
      return verdict.joined == null ? { ok: true, presence } : { ok: true, joined: verdict.joined, presence }
    }
    if (channel === 'chat') {
      if (bytes.byteLength > MAX_CHAT_MESSAGE_BYTES) return { ok: false, reason: 'size' }
      return this.settle(this.replica.receive(bytes, { kind: 'live', channel, author: from, authority: false }, this.chat.rules.maxLength))
    }
    if (bytes.byteLength > MAX_STATE_BYTES) return { ok: false, reason: 'size' }
    const message = decodeStateMessage(bytes)
    if (message == null) return { ok: false, reason: 'decode' }
    // The world's host relays history on the state topic (what children pushed to it).
    const origin = this.hooks.isAuthority(from)
      ? { kind: 'relayed', authority: true } as const
      : { kind: 'live', channel: 'state', author: from, authority: false } as const
    return this.settle(this.replica.receive(message.update, origin, this.chat.rules.maxLength))
  }

  /** Merges history relayed by a sync exchange (a reply from the parent, or a push from a child). */
  receiveRelayed(update: Uint8Array, authority: boolean): ReplicaResult {
    const result = this.replica.receive(update, { kind: 'relayed', authority }, this.chat.rules.maxLength)
    this.settle(result)
    return result
  }

  /** Publishes and records a write made on the world document; resolves once it is durable here. */
  commit(channel: 'state' | 'chat', update: Uint8Array): Promise<void> {
    this.hooks.publish(channel, channel === 'state' ? encodeStateMessage({ kind: 'update', update }) : update)
    return this.replica.local(update)
  }

  destroy(): void {
    this.presence.destroy()
  }

  private settle(result: ReplicaResult): WorldVerdict {
    if (!result.ok) return result
    result.durable.catch(this.hooks.onPersistError)
    for (const message of result.chat) this.hooks.onChat(message)
    return result.retried == null ? { ok: true, replay: result.replay } : { ok: true, replay: result.replay, retried: result.retried }
  }
}
