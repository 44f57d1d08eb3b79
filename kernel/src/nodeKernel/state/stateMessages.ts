/**
 * Envelope of messages on a world's state topic: one kind byte (0), then a Loro update of the
 * world document. Kinds 1 and 2 (sync over the topic) are retired: sync runs over the
 * `/peercompute/state-sync/1.0.0` stream protocol (StateSync.ts).
 */
export type StateMessage = { kind: 'update'; update: Uint8Array }

const UPDATE = 0

/** Encodes a state-topic message. */
export function encodeStateMessage(message: StateMessage): Uint8Array {
  const out = new Uint8Array(1 + message.update.byteLength)
  out[0] = UPDATE
  out.set(message.update, 1)
  return out
}

/** Decodes a state-topic message; null when the bytes are not one (the caller drops and counts it). */
export function decodeStateMessage(bytes: Uint8Array): StateMessage | null {
  if (bytes.byteLength < 2 || bytes[0] !== UPDATE) return null
  return { kind: 'update', update: bytes.subarray(1) }
}
