import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { COMPUTE_PROTOCOL, MAX_CHUNK_BYTES, arrayOf, bytesOf, computeReplySchema, decodeJson, encodeJson } from './computeWire.js'
import type { ChunkCode, ComputeReply, ComputeRequest } from './computeWire.js'
import type { ComputeArray } from '../computeTask.js'
import type { Libp2p } from '@libp2p/interface'

/** A peer answered a chunk with an error (its name and message are the peer's). */
export class RemoteChunkError extends Error {
  override name = 'RemoteChunkError'
  constructor(readonly remoteName: string, message: string) { super(message) }
}

async function request(libp2p: Libp2p, peer: string, req: ComputeRequest, payload: Uint8Array | null, signal: AbortSignal): Promise<{ reply: ComputeReply; payload: Uint8Array | null }> {
  const stream = await libp2p.dialProtocol(peerIdFromString(peer), COMPUTE_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_CHUNK_BYTES })
    await lp.write(encodeJson(req), { signal })
    if (payload != null) await lp.write(payload, { signal })
    const reply = decodeJson(computeReplySchema, (await lp.read({ signal })).subarray())
    if (reply == null) throw new RemoteChunkError('ComputeTaskError', `Peer ${peer} sent a malformed reply.`)
    const data = reply.t === 'result' ? (await lp.read({ signal })).subarray() : null
    await stream.close({ signal })
    return { reply, payload: data }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

/** A peer's compute offer, as its `caps` answer gives it. */
export interface PeerOffer { peerId: string; cores: number; webgpu: boolean; load: number; trusted: boolean }

/** Asks `peer` what it offers for code `hash`. */
export async function askCapabilities(libp2p: Libp2p, peer: string, hash: string, signal: AbortSignal): Promise<PeerOffer> {
  const { reply } = await request(libp2p, peer, { t: 'caps', code: hash }, null, signal)
  if (reply.t !== 'caps') throw new RemoteChunkError(reply.t === 'error' ? reply.name : 'ComputeTaskError', `Peer ${peer} did not answer with its capabilities.`)
  return { peerId: peer, cores: reply.cores, webgpu: reply.webgpu, load: reply.load, trusted: reply.trusted }
}

/** Runs one chunk on `peer`; the output must be `outputLength` elements of the input's type. */
export async function runRemoteChunk(libp2p: Libp2p, peer: string, code: ChunkCode, input: ComputeArray, outputLength: number, signal: AbortSignal): Promise<ComputeArray> {
  const dtype = input instanceof Float32Array ? 'f32' : 'u32'
  const { reply, payload } = await request(libp2p, peer, { t: 'run', code, dtype, elements: input.length }, bytesOf(input), signal)
  if (reply.t === 'error') throw new RemoteChunkError(reply.name, reply.message)
  if (reply.t !== 'result' || payload == null) throw new RemoteChunkError('ComputeTaskError', `Peer ${peer} answered a chunk with no result.`)
  const output = reply.elements === outputLength ? arrayOf(dtype, payload, reply.elements) : null
  if (output == null) throw new RemoteChunkError('ComputeTaskError', `Peer ${peer} sent ${payload.byteLength} bytes; the chunk gives ${outputLength * 4}.`)
  return output
}
