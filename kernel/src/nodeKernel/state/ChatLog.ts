import { LoroDoc } from 'loro-crdt'
import { trialImport } from './loroValidation.js'
import { MAX_CHAT_MESSAGE_BYTES, MAX_CHAT_TEXT_BYTES, chatEntrySchema, utf8Length } from './stateSchemas.js'
import { TokenBuckets } from './TokenBucket.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { BasisRules } from '@peercompute/world-sdk'

const CHAT_CONTAINER = 'cid:root-chat:List'
/** How many lines `messages()` returns at most (the newest). */
const HISTORY_LINES = 200

/** Thrown by `chat.send` when the world's rules refuse the message; the message says why. */
export class ChatRejectedError extends Error {
  override name = 'ChatRejectedError'
}

/** The token-bucket shape that enforces `rules.chat.perMinute` (the same for sending and receiving). */
export function chatBucket(rules: BasisRules['chat']): { ratePerSecond: number; burst: number } {
  return { ratePerSecond: rules.perMinute / 60, burst: Math.max(3, Math.ceil(rules.perMinute / 6)) }
}

/** The outcome of an incoming chat update. */
export type ChatVerdict = { ok: true } | { ok: false; reason: DropReason | 'pending' }

/**
 * A world's chat: a Loro list of {author, name, time, text}. Lines only ever get appended; an
 * incoming update is tried on a fork first and refused unless every operation is such an append.
 */
export class ChatLog {
  /** The chat document; StateManager exports its local updates to the network. */
  readonly doc = new LoroDoc()
  private readonly sendBucket: TokenBuckets

  constructor(
    private readonly rules: BasisRules['chat'],
    private readonly self: { peerId: string; name: string },
    private readonly onMessage: (message: ChatMessage) => void
  ) {
    this.sendBucket = new TokenBuckets(chatBucket(rules))
  }

  /** Appends a line from this node; throws ChatRejectedError when the world's chat rules refuse it. */
  send(text: string): ChatMessage {
    const trimmed = text.trim()
    if (!this.rules.enabled) throw new ChatRejectedError('Chat is turned off in this world.')
    if (trimmed.length === 0) throw new ChatRejectedError('Type something before sending.')
    if (trimmed.length > this.rules.maxLength || utf8Length(trimmed) > MAX_CHAT_TEXT_BYTES) {
      throw new ChatRejectedError(`Chat messages are limited to ${this.rules.maxLength} characters here; shorten it.`)
    }
    if (!this.sendBucket.take(this.self.peerId)) {
      throw new ChatRejectedError(`This world allows ${this.rules.perMinute} chat messages a minute; wait a moment.`)
    }
    const message: ChatMessage = { author: this.self.peerId, name: this.self.name, time: Date.now(), text: trimmed }
    this.doc.getList('chat').push(message)
    this.doc.commit()
    this.onMessage(message)
    return message
  }

  /** The newest lines, in the order every node converges to. */
  messages(): ChatMessage[] {
    const list = this.doc.getList('chat')
    const start = Math.max(0, list.length - HISTORY_LINES)
    return (list.toArray().slice(start) as unknown[]).flatMap((v) => {
      const parsed = chatEntrySchema.safeParse(v)
      return parsed.success ? [parsed.data] : []
    })
  }

  /**
   * Checks and imports an update. Live updates (`relayed: false`, from the chat topic) may only
   * append lines authored by `from`; sync replies relay history, so only the shape is checked.
   */
  receive(from: string, bytes: Uint8Array, relayed: boolean): ChatVerdict {
    if (!relayed && bytes.byteLength > MAX_CHAT_MESSAGE_BYTES) return { ok: false, reason: 'size' }
    const trial = trialImport(this.doc, bytes)
    if (!trial.ok) return { ok: false, reason: trial.reason }
    const added: ChatMessage[] = []
    for (const op of trial.ops) {
      if (op.container !== CHAT_CONTAINER || op.content.type !== 'insert') return { ok: false, reason: 'shape' }
      const values = (op.content as { value: unknown }).value
      for (const value of Array.isArray(values) ? values : [values]) {
        const parsed = chatEntrySchema.safeParse(value)
        if (!parsed.success || parsed.data.text.length > Math.max(this.rules.maxLength, 1)) return { ok: false, reason: 'shape' }
        if (!relayed && parsed.data.author !== from) return { ok: false, reason: 'spoofed' }
        added.push(parsed.data)
      }
    }
    this.doc.import(bytes)
    for (const message of added) this.onMessage(message)
    return { ok: true }
  }
}
