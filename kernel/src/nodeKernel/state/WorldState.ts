import { LoroDoc, VersionVector } from 'loro-crdt'
import { ChatLog } from './ChatLog.js'
import { trialImport } from './loroValidation.js'
import { PresenceStore } from './PresenceStore.js'
import { MAX_STATE_BYTES } from './stateSchemas.js'
import { decodeStateMessage, encodeStateMessage } from './stateMessages.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { WorldChannel } from '../worldTopics.js'
import type { BasisRules } from '@peercompute/world-sdk'

const ENTITIES_ROOT = 'cid:root-entities:Map'

/** What a world's state needs from around it. */
export interface WorldStateHooks {
  /** Whether this node answers sync requests (the root, or any node of a world without one). */
  answersSync: boolean
  publish(channel: WorldChannel, bytes: Uint8Array): void
  onChat(message: ChatMessage): void
  onLeave(peerId: string): void
}

/** The outcome of one incoming message: accepted (maybe a new player), or dropped with a reason. */
export type WorldVerdict =
  | { ok: true; joined?: string; presence?: { sentAt: number; receivedAt: number } }
  | { ok: false; reason: DropReason | 'pending' }

/**
 * Everything one world holds on this node: presence, the chat document and the entities
 * document. Local changes leave through `hooks.publish`; incoming ones are checked, then merged.
 */
export class WorldState {
  readonly presence: PresenceStore
  readonly chat: ChatLog
  /** Durable world state (the `entities` map), synced on the state topic. */
  readonly doc = new LoroDoc()
  private readonly unsubscribes: Array<() => void>
  private lastRequestAt = 0

  constructor(
    readonly world: { id: string; name: string; rules: BasisRules },
    self: { peerId: string; name: string },
    presenceTimeoutMs: number,
    private readonly hooks: WorldStateHooks
  ) {
    this.presence = new PresenceStore(self.peerId, self.name, world.rules.limits.players, presenceTimeoutMs, hooks.onLeave)
    this.chat = new ChatLog(world.rules.chat, self, hooks.onChat)
    this.unsubscribes = [
      this.chat.doc.subscribeLocalUpdates((bytes) => { hooks.publish('chat', bytes) }),
      this.doc.subscribeLocalUpdates((update) => { hooks.publish('state', encodeStateMessage({ kind: 'update', update })) })
    ]
  }

  /** Asks the world's other nodes for what this node lacks. */
  syncRequest(): Uint8Array {
    return encodeStateMessage({
      kind: 'sync-request',
      chatVersion: this.chat.doc.oplogVersion().encode(),
      stateVersion: this.doc.oplogVersion().encode()
    })
  }

  /** Checks and merges one message from `from` (already rate-limited by the caller). Never throws. */
  receive(channel: WorldChannel, from: string, bytes: Uint8Array): WorldVerdict {
    if (channel === 'presence') {
      const verdict = this.presence.receive(from, bytes)
      if (!verdict.ok) return verdict
      const presence = { sentAt: verdict.sentAt, receivedAt: verdict.receivedAt }
      return verdict.joined == null ? { ok: true, presence } : { ok: true, joined: verdict.joined, presence }
    }
    if (channel === 'chat') return this.chat.receive(from, bytes, false)
    if (bytes.byteLength > MAX_STATE_BYTES) return { ok: false, reason: 'size' }
    const message = decodeStateMessage(bytes)
    if (message == null) return { ok: false, reason: 'decode' }
    switch (message.kind) {
      case 'update': return this.receiveEntities(message.update)
      case 'sync-request': return this.answerSync(message.chatVersion, message.stateVersion)
      case 'sync-reply': {
        const chat = message.chat.byteLength > 0 ? this.chat.receive(from, message.chat, true) : { ok: true as const }
        if (!chat.ok) return chat
        return message.state.byteLength > 0 ? this.receiveEntities(message.state) : { ok: true }
      }
    }
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe()
    this.presence.destroy()
    this.chat.doc.free()
    this.doc.free()
  }

  private receiveEntities(update: Uint8Array): WorldVerdict {
    const trial = trialImport(this.doc, update)
    if (!trial.ok) return trial
    // Only the entities map (and containers nested in it) may change; no other root container.
    if (trial.ops.some((op) => op.container.startsWith('cid:root-') && op.container !== ENTITIES_ROOT)) {
      return { ok: false, reason: 'shape' }
    }
    this.doc.import(update)
    return { ok: true }
  }

  private answerSync(chatVersion: Uint8Array, stateVersion: Uint8Array): WorldVerdict {
    if (!this.hooks.answersSync) return { ok: true }
    let theirChat: VersionVector
    let theirState: VersionVector
    try {
      theirChat = VersionVector.decode(chatVersion)
      theirState = VersionVector.decode(stateVersion)
    } catch {
      return { ok: false, reason: 'decode' }
    }
    const chat = this.missing(this.chat.doc, theirChat)
    const state = this.missing(this.doc, theirState)
    // The asker may hold history this node lacks (it outlived a root restart): ask back, at most once a second.
    if ((this.lacks(this.chat.doc, theirChat) || this.lacks(this.doc, theirState)) && Date.now() - this.lastRequestAt > 1000) {
      this.lastRequestAt = Date.now()
      this.hooks.publish('state', this.syncRequest())
    }
    if (chat.byteLength === 0 && state.byteLength === 0) return { ok: true }
    const reply = encodeStateMessage({ kind: 'sync-reply', chat, state })
    // A history over the message limit is not sent whole; snapshots in chunks are a later step.
    if (reply.byteLength <= MAX_STATE_BYTES) this.hooks.publish('state', reply)
    return { ok: true }
  }

  private lacks(doc: LoroDoc, theirs: VersionVector): boolean {
    const order = doc.oplogVersion().compare(theirs)
    return order === undefined || order < 0
  }

  private missing(doc: LoroDoc, theirs: VersionVector): Uint8Array {
    const order = doc.oplogVersion().compare(theirs)
    if (order !== undefined && order <= 0) return new Uint8Array(0)
    return doc.export({ mode: 'update', from: theirs })
  }
}
