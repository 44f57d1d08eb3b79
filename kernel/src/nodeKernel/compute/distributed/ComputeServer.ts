import { lpStream } from '@libp2p/utils'
import { COMPUTE_PROTOCOL, MAX_CHUNK_BYTES, MAX_HEADER_BYTES, arrayOf, bytesOf, computeRequestSchema, decodeJson, encodeJson } from './computeWire.js'
import { chunkCodeHash, taskOfChunk } from './chunkPlan.js'
import type { ComputeReply } from './computeWire.js'
import type { ComputeCapabilities } from '../ComputeManager.js'
import type { ComputeResult, ComputeTask } from '../computeTask.js'
import type { Libp2p, Stream } from '@libp2p/interface'

export interface ComputeServerComponents {
  libp2p: Libp2p
  /** Runs a task on this node (never spreads it further). */
  runLocal(task: ComputeTask): Promise<ComputeResult>
  isTrusted(sha256: string): boolean
  capabilities(): ComputeCapabilities
  /** CPU cores this node offers. */
  cores: number
}

/**
 * Serves `/peercompute/compute/1.0.0`: answers capability questions and runs chunks for peers,
 * but only code this node trusts itself (a hash listed by a bundle it verified) — whoever asks.
 * Inputs and outputs are typed arrays only, size-checked before anything runs.
 */
export class ComputeServer {
  private running = 0
  /** Requests refused (malformed, oversized, untrusted code). */
  refused = 0

  constructor(private readonly components: ComputeServerComponents) {}

  load(): number { return this.running }

  async start(): Promise<void> {
    await this.components.libp2p.handle(COMPUTE_PROTOCOL, (stream) => { void this.serve(stream).catch(() => { stream.abort(new Error('compute request failed')) }) }, { maxInboundStreams: 64 })
  }

  async stop(): Promise<void> {
    await this.components.libp2p.unhandle(COMPUTE_PROTOCOL)
  }

  private async serve(stream: Stream): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_CHUNK_BYTES })
    const reply = async (r: ComputeReply, payload?: Uint8Array): Promise<void> => {
      await lp.write(encodeJson(r))
      if (payload != null) await lp.write(payload)
      await stream.close()
    }
    const head = await lp.read({ signal: AbortSignal.timeout(10_000) })
    const request = head.byteLength <= MAX_HEADER_BYTES ? decodeJson(computeRequestSchema, head.subarray()) : null
    if (request == null) {
      this.refused++
      await reply({ t: 'error', name: 'ComputeTaskError', message: 'Malformed compute request.' })
      return
    }
    if (request.t === 'caps') {
      const caps = this.components.capabilities()
      await reply({ t: 'caps', cores: this.components.cores, webgpu: caps.webgpu === 'available', load: this.running, trusted: this.components.isTrusted(request.code) })
      return
    }
    const input = arrayOf(request.dtype, (await lp.read({ signal: AbortSignal.timeout(30_000) })).subarray(), request.elements)
    if (input == null) {
      this.refused++
      await reply({ t: 'error', name: 'ComputeTaskError', message: 'The input does not match its declared size.' })
      return
    }
    const hash = await chunkCodeHash(request.code)
    if (!this.components.isTrusted(hash)) {
      this.refused++
      await reply({ t: 'error', name: 'UntrustedCodeError', message: `This node runs only code listed by a verified bundle; sha256 ${hash} is not.` })
      return
    }
    this.running++
    try {
      const result = await this.components.runLocal(taskOfChunk(request.code, input))
      await reply({ t: 'result', elements: result.output.length }, bytesOf(result.output))
    } catch (err) {
      await reply({ t: 'error', name: err instanceof Error ? err.name.slice(0, 64) : 'Error', message: (err instanceof Error ? err.message : String(err)).slice(0, 1024) })
    } finally {
      this.running--
    }
  }
}
