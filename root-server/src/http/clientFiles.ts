import { stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join, sep } from 'node:path'
import { mimeTypeFor } from './mimeTypes.js'
import { IMMUTABLE, sendFile, sendText } from './responses.js'

/** Shown when the client has not been built, so the root has no page to serve. */
export const CLIENT_NOT_BUILT =
  'The PeerCompute client has not been built, so there is no page to serve yet. Run npm run build, then reload.'

/**
 * The URL path as a list of decoded segments, or null when it must be refused: undecodable,
 * a `..` segment (also as `%2e%2e`), a NUL or a backslash, or a hidden (dot) file.
 */
export function safeSegments(rawPath: string): string[] | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return null
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.some((s) => s.startsWith('.'))) return null
  return segments
}

/**
 * Serves the built browser client from `clientDir`: files by path, `index.html` for unknown paths
 * without a dot (client-side routes), 404 for other unknown paths, 503 with a hint when unbuilt.
 * Files under `/assets/` carry content hashes in their names (Vite), so they are immutable.
 */
export async function serveClientFile(req: IncomingMessage, res: ServerResponse, clientDir: string, rawPath: string): Promise<void> {
  const segments = safeSegments(rawPath)
  if (segments === null) {
    sendText(req, res, 400, 'That path is not allowed.')
    return
  }
  const path = join(clientDir, ...segments)
  if (path !== clientDir && !path.startsWith(clientDir + sep)) {
    sendText(req, res, 400, 'That path is not allowed.')
    return
  }
  const stats = segments.length === 0 ? null : await fileStats(path)
  if (stats !== null) {
    const immutable = segments[0] === 'assets' && segments.length > 1
    await sendFile(req, res, path, stats, {
      contentType: mimeTypeFor(path),
      cacheControl: immutable ? IMMUTABLE : 'no-cache',
      etag: `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
    })
    return
  }
  const last = segments.at(-1) ?? ''
  if (last.includes('.')) {
    sendText(req, res, 404, `Not found: ${rawPath}`)
    return
  }
  const indexPath = join(clientDir, 'index.html')
  const index = await fileStats(indexPath)
  if (index === null) {
    sendText(req, res, 503, CLIENT_NOT_BUILT)
    return
  }
  await sendFile(req, res, indexPath, index, {
    contentType: 'text/html; charset=utf-8',
    cacheControl: 'no-cache',
    etag: `W/"${index.size.toString(16)}-${Math.floor(index.mtimeMs).toString(16)}"`,
  })
}

async function fileStats(path: string): Promise<Stats | null> {
  try {
    const s = await stat(path)
    return s.isFile() ? s : null
  } catch {
    return null
  }
}
