import { MAX_CHAT_TEXT_BYTES, utf8Length } from './stateSchemas.js'
import { TokenBuckets } from './TokenBucket.js'
import type { ChatMessage } from '../KernelEvents.js'
import type { BasisRules } from '@peercompute/world-sdk'

/** Thrown by `chat.send` when the world's rules refuse the message; the message says why. */
export class ChatRejectedError extends Error {
  override name = 'ChatRejectedError'
}

/** The token-bucket shape that enforces `rules.chat.perMinute` (the same for sending and receiving). */
export function chatBucket(rules: BasisRules['chat']): { ratePerSecond: number; burst: number } {
  return { ratePerSecond: rules.perMinute / 60, burst: Math.max(3, Math.ceil(rules.perMinute / 6)) }
}

/**
 * A world's chat rules for this node's own lines: enabled, length, lines a minute. The lines
 * themselves live in the world document's `chat` list; incoming lines are checked by
 * `checkUpdate` (updateRules.ts), which allows only appends signed by their sender.
 */
export class ChatLog {
  private readonly sendBucket: TokenBuckets

  constructor(readonly rules: BasisRules['chat'], private readonly self: { peerId: string; name: string }) {
    this.sendBucket = new TokenBuckets(chatBucket(rules))
  }

  /** Builds this node's next line; throws ChatRejectedError when the world's chat rules refuse it. */
  compose(text: string): ChatMessage {
    const trimmed = text.trim()
    if (!this.rules.enabled) throw new ChatRejectedError('Chat is turned off in this world.')
    if (trimmed.length === 0) throw new ChatRejectedError('Type something before sending.')
    if (trimmed.length > this.rules.maxLength || utf8Length(trimmed) > MAX_CHAT_TEXT_BYTES) {
      throw new ChatRejectedError(`Chat messages are limited to ${this.rules.maxLength} characters here; shorten it.`)
    }
    if (!this.sendBucket.take(this.self.peerId)) {
      throw new ChatRejectedError(`This world allows ${this.rules.perMinute} chat messages a minute; wait a moment.`)
    }
    return { author: this.self.peerId, name: this.self.name, time: Date.now(), text: trimmed }
  }
}
