import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { BundleStore } from '../bundles/bundleStore.js'
import { isSha256Hex } from '../bundles/bundleStore.js'
import type { WellKnown } from '../wellKnown.js'
import { serveClientFile } from './clientFiles.js'
import { IMMUTABLE, sendFile, sendJson, sendText } from './responses.js'
import { applySecurityHeaders } from './securityHeaders.js'
import type { WorldStateRoutes } from './worldStateRoutes.js'

/** Body of `GET /healthz`. */
export interface Health {
  status: 'ok'
  uptimeSeconds: number
  peers: number
  worlds: number
}

/** What the HTTP routes read from the running root. */
export interface RootRequestHandlerInit {
  wellKnown(): WellKnown
  health(): Health
  store: BundleStore
  /** Absolute path of the built client. */
  clientDir: string
  /** Called with one line per request when set (`--verbose`). */
  log?: ((line: string) => void) | undefined
  /** Called with every error that turned into a 500, so none goes unseen. */
  onError(err: unknown): void
  /** The world registry (`/api/worlds`, `/api/worlds/:id`), asked first; see src/registry. */
  registry?: { handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> }
  /** Stored world state (`/api/worlds/:id/state`, `/api/worlds/:id/state/history`); see worldStateRoutes.ts. */
  worldState?: WorldStateRoutes
}

const MANIFEST_ROUTE = /^\/api\/worlds\/([^/]+)\/manifest$/
const BLOB_ROUTE = /^\/blobs\/([^/]+)$/

/** The root's HTTPS request listener: the API of docs/ARCHITECTURE.md, then the client's files. */
export function rootRequestHandler(init: RootRequestHandlerInit): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now()
    if (init.log !== undefined) {
      const log = init.log
      res.once('close', () => {
        log(`${req.method ?? '?'} ${req.url ?? ''} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`)
      })
    }
    route(init, req, res).catch((err: unknown) => {
      init.onError(err)
      if (!res.headersSent) sendText(req, res, 500, 'The root failed to answer this request; its log has the details.')
      else res.destroy()
    })
  }
}

async function route(init: RootRequestHandlerInit, req: IncomingMessage, res: ServerResponse): Promise<void> {
  applySecurityHeaders(res)
  if (init.registry !== undefined && (await init.registry.handle(req, res))) return
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD')
    sendText(req, res, 405, `${req.method ?? 'This method'} is not allowed here; use GET.`)
    return
  }
  const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/'
  if (rawPath === '/.well-known/peercompute.json') return sendJson(req, res, 200, init.wellKnown())
  if (rawPath === '/healthz') return sendJson(req, res, 200, init.health(), 'no-store')
  if (init.worldState?.handle(req, res) === true) return
  const manifest = MANIFEST_ROUTE.exec(rawPath)
  if (manifest !== null) {
    const stored = init.store.latest(manifest[1] ?? '')
    if (stored === undefined) return sendJson(req, res, 404, { error: `No world "${manifest[1]}" is published on this root.` })
    return sendJson(req, res, 200, stored.signed)
  }
  const blob = BLOB_ROUTE.exec(rawPath)
  if (blob !== null) return sendBlob(init.store, req, res, blob[1] ?? '')
  return serveClientFile(req, res, init.clientDir, rawPath)
}

async function sendBlob(store: BundleStore, req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
  if (!isSha256Hex(hash)) return sendText(req, res, 404, 'Blobs are named by their SHA-256 in lowercase hex.')
  const path = store.blobPath(hash)
  const stats = await stat(path).catch(() => null)
  if (stats === null || !stats.isFile()) return sendText(req, res, 404, `No blob ${hash} on this root.`)
  await sendFile(req, res, path, stats, { contentType: 'application/octet-stream', cacheControl: IMMUTABLE, etag: `"${hash}"` })
}
