import { z } from 'zod'

/** Largest durable-state message (a Loro update or a sync reply), in bytes. */
export const MAX_STATE_BYTES = 64 * 1024
/** Largest presence message, in bytes. */
export const MAX_PRESENCE_BYTES = 4 * 1024
/** Largest chat text, in UTF-8 bytes, whatever the world's rules allow. */
export const MAX_CHAT_TEXT_BYTES = 1024
/** Largest chat message on the wire (one Loro update carrying one line). */
export const MAX_CHAT_MESSAGE_BYTES = 4 * 1024

const coordinate = z.number().min(-1e6).max(1e6)
const vec3 = z.tuple([coordinate, coordinate, coordinate])

/** A player's display name: 1-32 characters, no control characters. */
export const playerNameSchema = z.string().min(1).max(32).regex(/^[^\p{Cc}]+$/u)

/** One presence entry as published in the EphemeralStore under the sender's peerId. */
export const presenceValueSchema = z.object({
  name: playerNameSchema,
  p: vec3,
  yaw: z.number().min(-1e3).max(1e3),
  v: vec3,
  t: z.number().nonnegative()
})

/** One presence entry as published in the EphemeralStore under the sender's peerId. */
export type PresenceValue = z.infer<typeof presenceValueSchema>

/** One chat line as stored in the chat list. */
export const chatEntrySchema = z.object({
  author: z.string().min(1).max(128),
  name: playerNameSchema,
  time: z.number().nonnegative(),
  text: z.string().min(1).refine((t) => utf8Length(t) <= MAX_CHAT_TEXT_BYTES, 'chat text is over 1 KiB')
})

const encoder = new TextEncoder()

/** Length of `text` in UTF-8 bytes. */
export function utf8Length (text: string): number {
  return encoder.encode(text).length
}
