import { createReadStream } from 'node:fs'
import type { Stats } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'

/** Cache-Control for content that never changes at its URL (hashed assets, blobs). */
export const IMMUTABLE = 'public, max-age=31536000, immutable'

/** Sends a short plain-text answer (an error or a hint a person reads). */
export function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8')
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', body.byteLength)
  res.setHeader('Cache-Control', 'no-store')
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** Sends `value` as JSON. */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, cacheControl = 'no-cache'): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8')
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', body.byteLength)
  res.setHeader('Cache-Control', cacheControl)
  res.end(req.method === 'HEAD' ? undefined : body)
}

/**
 * Streams a file with its type, length, ETag and Cache-Control; answers 304 when the client's
 * If-None-Match matches the ETag.
 */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  stats: Stats,
  headers: { contentType: string; cacheControl: string; etag: string },
): Promise<void> {
  res.setHeader('Content-Type', headers.contentType)
  res.setHeader('Cache-Control', headers.cacheControl)
  res.setHeader('ETag', headers.etag)
  if (etagMatches(req.headers['if-none-match'], headers.etag)) {
    res.statusCode = 304
    res.end()
    return
  }
  res.statusCode = 200
  res.setHeader('Content-Length', stats.size)
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  try {
    await pipeline(createReadStream(path), res)
  } catch (err) {
    // The client went away mid-file (a closed tab, an aborted fetch): nothing to answer, not a fault.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err
  }
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const bare = etag.replace(/^W\//, '')
  return header.split(',').some((t) => {
    const v = t.trim()
    return v === '*' || v.replace(/^W\//, '') === bare
  })
}
