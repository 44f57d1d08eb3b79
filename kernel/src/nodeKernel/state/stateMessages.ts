/**
 * Envelope of messages on a world's state topic: one kind byte, then either a Loro update of the
 * entities document, or two length-prefixed parts (version vectors of a sync request, or the
 * chat and entities updates of a sync reply).
 */
export type StateMessage =
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'sync-request'; chatVersion: Uint8Array; stateVersion: Uint8Array }
  | { kind: 'sync-reply'; chat: Uint8Array; state: Uint8Array }

const KIND_BYTES = { update: 0, 'sync-request': 1, 'sync-reply': 2 } as const

/** Encodes a state-topic message. */
export function encodeStateMessage(message: StateMessage): Uint8Array {
  if (message.kind === 'update') return concat(KIND_BYTES.update, message.update)
  const [a, b] = message.kind === 'sync-request'
    ? [message.chatVersion, message.stateVersion]
    : [message.chat, message.state]
  const head = new Uint8Array(4)
  new DataView(head.buffer).setUint32(0, a.byteLength)
  return concat(KIND_BYTES[message.kind], head, a, b)
}

/** Decodes a state-topic message; null when the bytes are not one (the caller drops and counts it). */
export function decodeStateMessage(bytes: Uint8Array): StateMessage | null {
  if (bytes.byteLength < 1) return null
  const kind = bytes[0]
  if (kind === KIND_BYTES.update) return { kind: 'update', update: bytes.subarray(1) }
  if (kind !== KIND_BYTES['sync-request'] && kind !== KIND_BYTES['sync-reply']) return null
  if (bytes.byteLength < 5) return null
  const length = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0)
  if (5 + length > bytes.byteLength) return null
  const a = bytes.subarray(5, 5 + length)
  const b = bytes.subarray(5 + length)
  return kind === KIND_BYTES['sync-request']
    ? { kind: 'sync-request', chatVersion: a, stateVersion: b }
    : { kind: 'sync-reply', chat: a, state: b }
}

function concat(kind: number, ...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.byteLength, 0))
  out[0] = kind
  let offset = 1
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}
