import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { RELAY_PROTOCOL } from './topologyWire.js'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'

/** Largest relayed frame, bytes. */
export const MAX_RELAY_FRAME = 256 * 1024

interface Outbound { ready: Promise<LengthPrefixedStream<Stream>>; chain: Promise<void> }

/**
 * One long-lived outbound stream per neighbour, carrying length-prefixed frames in order; incoming
 * relay streams are read until they end and each frame handed to `onFrame`. A failed stream is
 * dropped and reopened by the next send.
 */
export class RelayLinks {
  private readonly outbound = new Map<string, Outbound>()
  private readonly inbound = new Set<Stream>()
  private closed = false

  constructor(private readonly libp2p: Libp2p, private readonly onFrame: (from: string, frame: Uint8Array) => void) {}

  /** Frames this node failed to hand to a neighbour (its stream failed). */
  failures = 0
  /** Why the latest of those frames failed, for diagnosis. */
  lastFailure: string | null = null

  async start(): Promise<void> {
    await this.libp2p.handle(RELAY_PROTOCOL, (stream, connection) => { void this.read(stream, connection.remotePeer.toString()) }, { maxInboundStreams: 4 })
  }

  async stop(): Promise<void> {
    this.closed = true
    await this.libp2p.unhandle(RELAY_PROTOCOL)
    for (const stream of this.inbound) stream.abort(new Error('node stopping'))
    this.inbound.clear()
    for (const out of this.outbound.values()) void out.ready.then((lp) => { lp.unwrap().abort(new Error('node stopping')) }, () => {})
    this.outbound.clear()
  }

  /** Queues `frame` to `peerId`, in order with earlier frames to the same peer. */
  send(peerId: string, frame: Uint8Array): void {
    if (this.closed) return
    let out = this.outbound.get(peerId)
    if (out == null) {
      const ready = this.libp2p.dialProtocol(peerIdFromString(peerId), RELAY_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
        .then((stream) => lpStream(stream, { maxDataLength: MAX_RELAY_FRAME }))
      ready.catch(() => {})
      out = { ready, chain: Promise.resolve() }
      this.outbound.set(peerId, out)
    }
    const current = out
    current.chain = current.chain
      .then(async () => { await (await current.ready).write(frame) })
      .catch((err: unknown) => {
        this.failures++
        this.lastFailure = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
        if (this.outbound.get(peerId) === current) this.outbound.delete(peerId)
      })
  }

  /** Forgets the stream to a neighbour that left. */
  drop(peerId: string): void {
    const out = this.outbound.get(peerId)
    this.outbound.delete(peerId)
    void out?.ready.then((lp) => { lp.unwrap().abort(new Error('neighbour dropped')) }, () => {})
  }

  private async read(stream: Stream, from: string): Promise<void> {
    this.inbound.add(stream)
    const lp = lpStream(stream, { maxDataLength: MAX_RELAY_FRAME })
    try {
      while (!this.closed) this.onFrame(from, (await lp.read()).subarray())
    } catch {
      // The neighbour closed the stream or left; it reopens one if it sends again.
    } finally {
      this.inbound.delete(stream)
    }
  }
}
