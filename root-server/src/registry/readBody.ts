import type { IncomingMessage } from 'node:http'
import { BundleSizeError, formatBytes } from '@peercompute/signing'

/**
 * Reads a request body of at most `maxBytes`, refusing early (by Content-Length) or as soon as
 * more arrives, with a {@link BundleSizeError}.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = (n: number) =>
    new BundleSizeError(
      `The bundle is ${formatBytes(n)}${req.headers['content-length'] === undefined ? ' or more' : ''}, more than the ` +
        `${formatBytes(maxBytes)} this root accepts. Make it smaller (fewer or smaller files).`,
    )
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared)
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge(total)
    chunks.push(chunk)
  }
  const body = Buffer.concat(chunks, total)
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
}
