import { lpStream } from '@libp2p/utils'
import { MAX_PROBE_BYTES, PROBE_PROTOCOL } from './topologyWire.js'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'

/** Answers a probe: reads the whole block, then writes one byte. */
export async function serveProbe(stream: Stream): Promise<void> {
  const signal = AbortSignal.timeout(30_000)
  const lp = lpStream(stream, { maxDataLength: MAX_PROBE_BYTES })
  await lp.read({ signal })
  await lp.write(Uint8Array.of(1), { signal })
  await stream.close({ signal })
}

/**
 * Measures throughput to `peer` in Mbit/s: sends `bytes` and times the one-byte answer, less the
 * round trip measured by ping. Short on purpose: it runs only on links whose round trip already
 * looks like a LAN, so it never floods a slow uplink.
 */
export async function probeThroughput(libp2p: Libp2p, peer: PeerId, bytes: number, rttMs: number, signal: AbortSignal): Promise<number> {
  const stream = await libp2p.dialProtocol(peer, PROBE_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_PROBE_BYTES })
    const block = new Uint8Array(Math.min(bytes, MAX_PROBE_BYTES))
    const started = performance.now()
    await lp.write(block, { signal })
    await lp.read({ signal })
    const elapsed = performance.now() - started
    await stream.close({ signal })
    return (block.byteLength * 8) / 1000 / Math.max(0.05, elapsed - rttMs)
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}
