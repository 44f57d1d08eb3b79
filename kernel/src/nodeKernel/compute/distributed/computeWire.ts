import { z } from 'zod'
import { CPU_KERNELS } from '../computeTask.js'
import type { ComputeArray } from '../computeTask.js'

/** Request/response protocol for capabilities and chunks: one request per stream. */
export const COMPUTE_PROTOCOL = '/peercompute/compute/1.0.0'

/** Largest input or output of one chunk, bytes. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024
/** Largest JSON header (a shader's source travels in it), bytes. */
export const MAX_HEADER_BYTES = 256 * 1024

const sha256 = z.string().regex(/^[0-9a-f]{64}$/)
const dtype = z.enum(['f32', 'u32'])

/** What one chunk runs: the code (whose hash the peer must trust) and the output it expects. */
export const chunkCodeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cpu'), kernel: z.enum(CPU_KERNELS) }),
  z.object({
    type: z.literal('webgpu'),
    shader: z.string().max(MAX_HEADER_BYTES),
    entryPoint: z.string().max(128),
    outputLength: z.number().int().positive().max(MAX_CHUNK_BYTES / 4),
    workgroups: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()])
  })
])
export type ChunkCode = z.infer<typeof chunkCodeSchema>

/** Requests (first frame of a stream). `run` is followed by one frame of input bytes. */
export const computeRequestSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('caps'), code: sha256 }),
  z.object({ t: z.literal('run'), code: chunkCodeSchema, dtype, elements: z.number().int().nonnegative().max(MAX_CHUNK_BYTES / 4) })
])
export type ComputeRequest = z.infer<typeof computeRequestSchema>

/** Answers. `result` is followed by one frame of output bytes. */
export const computeReplySchema = z.discriminatedUnion('t', [
  /** What the peer offers: CPU cores, whether it has a WebGPU adapter, chunks it runs now, and whether it trusts the code asked about. */
  z.object({ t: z.literal('caps'), cores: z.number().int().min(1).max(1024), webgpu: z.boolean(), load: z.number().int().nonnegative(), trusted: z.boolean() }),
  z.object({ t: z.literal('result'), elements: z.number().int().nonnegative().max(MAX_CHUNK_BYTES / 4) }),
  z.object({ t: z.literal('error'), name: z.string().max(64), message: z.string().max(1024) })
])
export type ComputeReply = z.infer<typeof computeReplySchema>

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

/** Parses a frame with `schema`; null when it is not JSON of that shape. */
export function decodeJson<T>(schema: z.ZodType<T>, bytes: Uint8Array): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(decoder.decode(bytes)))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** The bytes of a typed array (a view, not a copy). */
export function bytesOf(array: ComputeArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

/** A typed array of `dtype` over a copy of `bytes`; null when the length does not match. */
export function arrayOf(dtype: 'f32' | 'u32', bytes: Uint8Array, elements: number): ComputeArray | null {
  if (bytes.byteLength !== elements * 4) return null
  const copy = new ArrayBuffer(bytes.byteLength)
  new Uint8Array(copy).set(bytes)
  return dtype === 'f32' ? new Float32Array(copy) : new Uint32Array(copy)
}
