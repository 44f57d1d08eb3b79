import type { AbortOptions } from '@libp2p/interface'

/**
 * Messages of the state-sync protocol (`/peercompute/state-sync/1.0.0`). Each message travels
 * as one or more length-prefixed frames `[type u8][more u8][payload ≤ 64 KiB]`; `more = 1` says
 * another frame of the same message follows, so a large history never needs one huge frame.
 */
export type SyncMessage =
  /** Asker → holder: "I am at `version` of `world`". */
  | { type: 'request'; world: string; version: Uint8Array }
  /** Holder → asker: the update the asker lacks (may be empty). */
  | { type: 'data'; update: Uint8Array }
  /** Holder → asker: the holder's version, and whether it keeps the world (then the asker pushes what it lacks). */
  | { type: 'version'; keeps: boolean; version: Uint8Array }
  /** Child → parent: updates to keep (storage mode 'propagate', or history the parent lacks). */
  | { type: 'push'; world: string; update: Uint8Array }
  /** Parent → child: `stored` once on disk, `known` when it held them already (and they are on disk), `refused` with a reason. */
  | { type: 'ack'; status: AckStatus; reason: string }
  | { type: 'error'; message: string }

/** How a parent answered a push. */
export type AckStatus = 'stored' | 'known' | 'refused'

/** Largest frame payload: bigger messages are split into frames of this size. */
export const SYNC_CHUNK_BYTES = 64 * 1024

/** Thrown when a peer breaks the protocol (bad frame, size over the limit, unexpected message). */
export class SyncProtocolError extends Error {
  override name = 'SyncProtocolError'
}

const TYPES = ['request', 'data', 'version', 'push', 'ack', 'error'] as const
const ACKS: AckStatus[] = ['stored', 'known', 'refused']
const WORLD_ID = /^[a-z0-9][a-z0-9-]{1,62}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** What the codec needs of a length-prefixed stream (`lpStream` of @libp2p/utils). */
export interface FrameStream {
  read(options?: AbortOptions): Promise<{ subarray(): Uint8Array }>
  write(data: Uint8Array, options?: AbortOptions): Promise<void>
}

/** Writes `message` as one or more frames. */
export async function writeSyncMessage(stream: FrameStream, message: SyncMessage, options?: AbortOptions): Promise<void> {
  const type = TYPES.indexOf(message.type) + 1
  const payload = encodePayload(message)
  let offset = 0
  do {
    const chunk = payload.subarray(offset, offset + SYNC_CHUNK_BYTES)
    offset += chunk.byteLength
    const frame = new Uint8Array(2 + chunk.byteLength)
    frame[0] = type
    frame[1] = offset < payload.byteLength ? 1 : 0
    frame.set(chunk, 2)
    await stream.write(frame, options)
  } while (offset < payload.byteLength)
}

/** Reads one message (all its frames); throws SyncProtocolError past `maxBytes` or on a malformed frame. */
export async function readSyncMessage(stream: FrameStream, maxBytes: number, options?: AbortOptions): Promise<SyncMessage> {
  const parts: Uint8Array[] = []
  let total = 0
  let type = 0
  for (;;) {
    const frame = (await stream.read(options)).subarray()
    if (frame.byteLength < 2 || frame[0] === 0 || (frame[0] as number) > TYPES.length) throw new SyncProtocolError('malformed frame')
    if (type !== 0 && frame[0] !== type) throw new SyncProtocolError('a message changed type between frames')
    type = frame[0] as number
    total += frame.byteLength - 2
    if (total > maxBytes) throw new SyncProtocolError(`message over ${maxBytes} bytes`)
    parts.push(frame.subarray(2))
    if (frame[1] === 0) break
  }
  return decodePayload(TYPES[type - 1] as SyncMessage['type'], concat(parts, total))
}

function encodePayload(message: SyncMessage): Uint8Array {
  switch (message.type) {
    case 'request': return withWorld(message.world, message.version)
    case 'push': return withWorld(message.world, message.update)
    case 'data': return message.update
    case 'version': return concat([Uint8Array.of(message.keeps ? 1 : 0), message.version])
    case 'ack': return concat([Uint8Array.of(ACKS.indexOf(message.status)), encoder.encode(message.reason)])
    case 'error': return encoder.encode(message.message)
  }
}

function decodePayload(type: SyncMessage['type'], payload: Uint8Array): SyncMessage {
  switch (type) {
    case 'request': {
      const { world, rest } = readWorld(payload)
      return { type, world, version: rest }
    }
    case 'push': {
      const { world, rest } = readWorld(payload)
      return { type, world, update: rest }
    }
    case 'data': return { type, update: payload }
    case 'version':
      if (payload.byteLength < 1) throw new SyncProtocolError('empty version message')
      return { type, keeps: payload[0] === 1, version: payload.subarray(1) }
    case 'ack': {
      const status = ACKS[payload[0] ?? 99]
      if (status == null) throw new SyncProtocolError('unknown ack status')
      return { type, status, reason: decoder.decode(payload.subarray(1)) }
    }
    case 'error': return { type, message: decoder.decode(payload).slice(0, 500) }
  }
}

function withWorld(world: string, rest: Uint8Array): Uint8Array {
  const id = encoder.encode(world)
  return concat([Uint8Array.of(id.byteLength), id, rest])
}

function readWorld(payload: Uint8Array): { world: string; rest: Uint8Array } {
  const length = payload[0] ?? 0
  const world = decoder.decode(payload.subarray(1, 1 + length))
  if (!WORLD_ID.test(world)) throw new SyncProtocolError('malformed world id')
  return { world, rest: payload.subarray(1 + length) }
}

function concat(parts: Uint8Array[], total = parts.reduce((n, p) => n + p.byteLength, 0)): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}
