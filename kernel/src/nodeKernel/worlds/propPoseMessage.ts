import { z } from 'zod'
import { PROP_STRIDE } from '../physics/physicsMessages.js'
import type { PropPoseBatch } from '../physics/physicsMessages.js'

/**
 * The prop-poses topic's wire format (little-endian): a 15-byte header `[version u8 = 1][seq u32]
 * [time f64: the host's simulated seconds][count u16]`, then `count` entries of 31 bytes
 * `[prop index u16][teleport counter u8][x y z qx qy qz qw: f32 × 7]`.
 */
const VERSION = 1
const HEADER_BYTES = 15
const ENTRY_BYTES = 3 + 4 * PROP_STRIDE

/** Largest prop-poses message, in bytes: a host splits a larger batch. */
export const MAX_PROP_POSES_BYTES = 16 * 1024
/** Most props one message carries. */
export const MAX_PROPS_PER_MESSAGE = Math.floor((MAX_PROP_POSES_BYTES - HEADER_BYTES) / ENTRY_BYTES)

/** Why a prop-poses message was refused at the boundary. */
export type PropPosesRefusal = 'size' | 'decode' | 'shape'

const coordinate = z.number().min(-100_000).max(100_000)
const unit = z.number().min(-1.0001).max(1.0001)

function buildSchema(propCount: number) {
  return z.object({
    version: z.literal(VERSION),
    seq: z.number().int().nonnegative(),
    time: z.number().nonnegative().max(1e9),
    entries: z.array(z.object({
      index: z.number().int().nonnegative().max(propCount - 1),
      snap: z.number().int().min(0).max(255),
      position: z.tuple([coordinate, coordinate, coordinate]),
      rotation: z.tuple([unit, unit, unit, unit]).refine((q) => Math.abs(Math.hypot(...q) - 1) < 0.01, 'a rotation must be a unit quaternion')
    })).min(1).max(MAX_PROPS_PER_MESSAGE)
  }).refine((m) => new Set(m.entries.map((e) => e.index)).size === m.entries.length, 'each prop at most once')
}

/** Schemas by prop count: a world's is built once, not for each of its 20 messages a second. */
const schemas = new Map<number, ReturnType<typeof buildSchema>>()

/** What a decoded prop-poses message must hold to be used; `propCount` is the world's number of props. */
export function propPosesSchema(propCount: number): ReturnType<typeof buildSchema> {
  let schema = schemas.get(propCount)
  if (schema == null) {
    schema = buildSchema(propCount)
    schemas.set(propCount, schema)
  }
  return schema
}

/** One message of prop poses: a batch and its place in the host's sequence. */
export interface PropPosesMessage { seq: number; batch: PropPoseBatch }

/** The result of reading a message off the wire. */
export type DecodedPropPoses = { ok: true; message: PropPosesMessage } | { ok: false; reason: PropPosesRefusal }

/**
 * Encodes a batch as one or more messages of at most MAX_PROPS_PER_MESSAGE props each, numbered
 * from `seq` on (the same `time` in each).
 */
export function encodePropPoses(seq: number, batch: PropPoseBatch): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let first = 0; first < batch.indices.length; first += MAX_PROPS_PER_MESSAGE) {
    const count = Math.min(MAX_PROPS_PER_MESSAGE, batch.indices.length - first)
    const bytes = new Uint8Array(HEADER_BYTES + count * ENTRY_BYTES)
    const view = new DataView(bytes.buffer)
    view.setUint8(0, VERSION)
    view.setUint32(1, (seq + out.length) >>> 0, true)
    view.setFloat64(5, batch.time, true)
    view.setUint16(13, count, true)
    for (let i = 0; i < count; i++) {
      const o = HEADER_BYTES + i * ENTRY_BYTES
      view.setUint16(o, batch.indices[first + i] as number, true)
      view.setUint8(o + 2, batch.snaps[first + i] as number)
      for (let k = 0; k < PROP_STRIDE; k++) view.setFloat32(o + 3 + 4 * k, batch.poses[(first + i) * PROP_STRIDE + k] as number, true)
    }
    out.push(bytes)
  }
  return out
}

/** Reads a message from the network: size first, then layout, then the schema against the world's props. Never throws. */
export function decodePropPoses(bytes: Uint8Array, propCount: number): DecodedPropPoses {
  if (bytes.byteLength > MAX_PROP_POSES_BYTES) return { ok: false, reason: 'size' }
  if (bytes.byteLength < HEADER_BYTES) return { ok: false, reason: 'decode' }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint16(13, true)
  if (bytes.byteLength !== HEADER_BYTES + count * ENTRY_BYTES) return { ok: false, reason: 'decode' }
  const entries = []
  for (let i = 0; i < count; i++) {
    const o = HEADER_BYTES + i * ENTRY_BYTES
    const f = (k: number): number => view.getFloat32(o + 3 + 4 * k, true)
    entries.push({ index: view.getUint16(o, true), snap: view.getUint8(o + 2), position: [f(0), f(1), f(2)], rotation: [f(3), f(4), f(5), f(6)] })
  }
  const parsed = propPosesSchema(propCount).safeParse({ version: view.getUint8(0), seq: view.getUint32(1, true), time: view.getFloat64(5, true), entries })
  if (!parsed.success) return { ok: false, reason: 'shape' }
  const { seq, time } = parsed.data
  const batch: PropPoseBatch = {
    time,
    indices: Uint16Array.from(parsed.data.entries, (e) => e.index),
    snaps: Uint8Array.from(parsed.data.entries, (e) => e.snap),
    poses: Float32Array.from(parsed.data.entries.flatMap((e) => [...e.position, ...e.rotation]))
  }
  return { ok: true, message: { seq, batch } }
}
