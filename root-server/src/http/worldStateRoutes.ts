import type { IncomingMessage, ServerResponse } from 'node:http'
import { UnknownVersionError } from '@peercompute/kernel'
import { NoWorldStateError, readWorldState, WorldIdError } from '../persistence/index.js'
import { sendJson } from './responses.js'

/** How much one answer of the state routes holds at most. */
export interface WorldStatePageLimits {
  /** Versions in one page of `GET /api/worlds/:id/state/history` (~200 bytes each). @default 1000 */
  versions: number
  /** Entities, and chat lines, in one page of `GET /api/worlds/:id/state` (each ≤ ~4.5 KiB). @default 500 */
  items: number
}

/** Default page bounds: an answer stays within a few MiB however large the world. */
export const DEFAULT_STATE_PAGE_LIMITS: WorldStatePageLimits = { versions: 1000, items: 500 }

/** Options of {@link worldStateRoutes}. */
export interface WorldStateRoutesInit {
  /** The root's data folder; state is read from `<dataDir>/state/<world>/` as `peercompute state --data` reads it. */
  dataDir: string
  /** Whether a world is published on this root (to say why a world has no state). */
  isPublished(world: string): boolean
  pageLimits?: Partial<WorldStatePageLimits>
}

/** The read-only routes over a root's stored world state; mount with `if (routes.handle(req, res)) return`. */
export interface WorldStateRoutes {
  /** Answers `GET|HEAD /api/worlds/:id/state[/history]`; true when it handled the request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean
}

const HISTORY_ROUTE = /^\/api\/worlds\/([^/]+)\/state\/history$/
const STATE_ROUTE = /^\/api\/worlds\/([^/]+)\/state$/
// The version grammar of the kernel's parseVersion: counter@peer pairs joined by commas, or '' (before any change).
const VERSION = /^(?:\s*\d+@\d+\s*(?:,\s*\d+@\d+\s*)*)?$/

/** Thrown for a query parameter the state routes cannot use; answered 400. */
class StateQueryError extends Error {
  override name = 'StateQueryError'
}

/**
 * `GET /api/worlds/:id/state/history` and `GET /api/worlds/:id/state?at=<version>`: a world's stored
 * history and its state at a version, read from the root's data folder by the same code as
 * `peercompute state --data` (root-server's readWorldState over kernel's openStoredWorld), in pages.
 */
export function worldStateRoutes(init: WorldStateRoutesInit): WorldStateRoutes {
  const limits = { ...DEFAULT_STATE_PAGE_LIMITS, ...init.pageLimits }
  return {
    handle(req, res) {
      // The path as sent, like every other route (no dot-segment resolution).
      const target = (req.url ?? '/').split('#', 1)[0] ?? '/'
      const q = target.indexOf('?')
      const path = q < 0 ? target : target.slice(0, q)
      const history = HISTORY_ROUTE.exec(path)
      const state = history === null ? STATE_ROUTE.exec(path) : null
      const world = history?.[1] ?? state?.[1]
      if (world === undefined) return false
      const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1))
      try {
        if (history !== null) sendJson(req, res, 200, historyPage(init, world, page(query, limits.versions)), 'no-store')
        else sendJson(req, res, 200, statePage(init, world, query, page(query, limits.items)), 'no-store')
      } catch (err) {
        const status = statusOf(err)
        if (status === undefined) throw err
        sendJson(req, res, status, { error: (err as Error).message, name: (err as Error).name })
      }
      return true
    },
  }
}

function historyPage(init: WorldStateRoutesInit, world: string, { from, limit }: Page) {
  return withStoredWorld(init, world, (stored) => {
    const total = stored.versions.length
    return {
      world, total, from, versions: stored.versions.slice(from, from + limit), next: from + limit < total ? from + limit : null,
      tornBytes: stored.tornBytes, badSnapshot: stored.badSnapshot,
    }
  })
}

function statePage(init: WorldStateRoutesInit, world: string, query: URLSearchParams, { from, limit }: Page) {
  const at = query.get('at') ?? undefined
  if (at !== undefined && !VERSION.test(at)) {
    throw new StateQueryError(`"${at}" is not a version: expect counter@peer pairs joined by commas. ${listVersions(world)}`)
  }
  return withStoredWorld(init, world, (stored) => {
    let state
    try {
      state = stored.stateAt(at)
    } catch (err) {
      if (err instanceof UnknownVersionError) {
        throw new UnknownVersionError(`Version "${at ?? ''}" is not in the stored history of "${world}". ${listVersions(world)}`)
      }
      throw err
    }
    const more = from + limit < Math.max(state.entities.length, state.chat.length)
    return {
      world, version: state.version, settings: state.settings,
      entities: state.entities.slice(from, from + limit), chat: state.chat.slice(from, from + limit),
      totals: { entities: state.entities.length, chat: state.chat.length }, from, next: more ? from + limit : null,
      tornBytes: stored.tornBytes, badSnapshot: stored.badSnapshot,
    }
  })
}

function withStoredWorld<T>(init: WorldStateRoutesInit, world: string, read: (stored: ReturnType<typeof readWorldState>) => T): T {
  let stored
  try {
    stored = readWorldState(init.dataDir, world)
  } catch (err) {
    // Its own message names the data folder's path and --data: neither is for a caller over HTTP.
    if (err instanceof NoWorldStateError) {
      throw new NoWorldStateError(init.isPublished(world)
        ? `World "${world}" is published here but this root keeps no state for it: its host keeps it "local", or nobody has changed it yet.`
        : `No world "${world}" is on this root. List the worlds with GET /api/worlds (or "peercompute worlds --root <url>").`)
    }
    throw err
  }
  try {
    return read(stored)
  } finally {
    stored.close()
  }
}

interface Page { from: number; limit: number }

/** Reads `from` (default 0) and `limit` (default and at most `max`). */
function page(query: URLSearchParams, max: number): Page {
  const from = count(query, 'from', 0)
  const limit = count(query, 'limit', max)
  if (limit < 1 || limit > max) throw new StateQueryError(`"limit" must be between 1 and ${max} (this root's page size); ask for the rest with "from".`)
  return { from, limit }
}

function count(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name)
  if (raw === null) return fallback
  if (!/^\d{1,9}$/.test(raw)) throw new StateQueryError(`"${name}" must be a whole number, got "${raw}".`)
  return Number(raw)
}

function listVersions(world: string): string {
  return `List the versions with GET /api/worlds/${world}/state/history (or "peercompute state history ${world} --root <url>").`
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof StateQueryError || err instanceof WorldIdError) return 400
  if (err instanceof NoWorldStateError || err instanceof UnknownVersionError) return 404
  return undefined
}
