import { readdir } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { BundleError, BundleSizeError, DEFAULT_BUNDLE_LIMITS, WORLD_ID_PATTERN } from '@peercompute/signing'
import type { BundleLimits, JWK, SigningKey } from '@peercompute/signing'
import type { BundleStore } from '../bundles/bundleStore.js'
import { sendJson } from '../http/responses.js'
import { RegistryError } from './errors.js'
import { publishBundle, readPayload } from './publishBundle.js'
import { readBody } from './readBody.js'
import { WorldIndex } from './worldIndex.js'
import { LiveHosts, hostAnnouncementSchema } from './liveHosts.js'
import type { LiveHost, LiveHostsInit } from './liveHosts.js'

/** A world as `GET /api/worlds` lists it. */
export interface WorldSummary {
  id: string
  name: string
  version: string
  /** Thumbprint of the publisher's key (the root's own for the worlds it ships). */
  publisher: string
  /** The publisher's public key, to check its signature; the root's key for the worlds it ships. */
  publisherKey: JWK
  parent: string | null
  /** Path of the signed manifest on this root. */
  manifest: string
  /** Nodes hosting the world now (`POST /api/worlds/:id/hosts`), oldest first; [] when nobody does. */
  hosts: LiveHost[]
}

/** What `onPublished` receives, and the body of a `201` answer to `POST /api/worlds`. */
export interface PublishedWorld extends WorldSummary {
  /** Where players open the world: `<root>/?world=<id>`. */
  url: string
}

/** Options of {@link worldRegistry}. */
export interface WorldRegistryInit {
  /** The root's data folder (the registry keeps `registry/worlds.json` there). */
  dataDir: string
  /** Where blobs and signed manifests live (already loaded). */
  store: BundleStore
  /** The root's signing key: it countersigns every accepted bundle with role 'root'. */
  rootKey: SigningKey
  /** 'open', or the thumbprints of the publisher keys allowed to publish. @default 'open' */
  publishers?: 'open' | readonly string[]
  /** @default DEFAULT_BUNDLE_LIMITS (50 MiB a bundle, 20 MiB a file) */
  limits?: Partial<BundleLimits>
  /** Called after each accepted publish; the root announces it on gossipsub `/peercompute/1/worlds`. */
  onPublished?: (world: PublishedWorld) => void | Promise<void>
  /** Receives errors that became a 500 or came from `onPublished`. @default console.error */
  onError?: (err: unknown) => void
  /** Base URL put in world URLs. @default https://<Host header>/ */
  publicUrl?: string
  /** @default () => new Date() */
  now?: () => Date
  /** The live-hosts table (TTL of an announcement, hosts per world). */
  liveHosts?: LiveHostsInit
}

/** The world registry: `POST /api/worlds`, `GET /api/worlds`, `GET /api/worlds/:id`. */
export interface WorldRegistry {
  /** Answers the registry's routes; resolves true when it handled the request, false to pass it on. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  /** Every world the root serves, newest version of each, sorted by id. */
  worlds(): Promise<WorldSummary[]>
}

const ONE_WORLD = /^\/api\/worlds\/([^/]+)$/
const WORLD_HOSTS = /^\/api\/worlds\/([^/]+)\/hosts(?:\/([^/]+))?$/

/** Makes the registry; mount it with `if (await registry.handle(req, res)) return`. */
export function worldRegistry(init: WorldRegistryInit): WorldRegistry {
  const index = new WorldIndex(init.dataDir)
  const live = new LiveHosts(init.liveHosts)
  const limits = { ...DEFAULT_BUNDLE_LIMITS, ...init.limits }
  const onError = init.onError ?? ((err: unknown) => console.error(err))
  const ids = new Set<string>()
  let loaded: Promise<void> | undefined
  const load = (): Promise<void> =>
    (loaded ??= (async () => {
      await index.load()
      const dirs = await readdir(join(init.dataDir, 'bundles')).catch(() => [] as string[])
      for (const id of dirs) if (WORLD_ID_PATTERN.test(id) && init.store.latest(id) !== undefined) ids.add(id)
    })())
  // One publish at a time: the owner and version checks must see the previous publish's result.
  let queue: Promise<unknown> = Promise.resolve()

  const summary = (id: string): WorldSummary | undefined => {
    const stored = init.store.latest(id)
    if (stored === undefined) return undefined
    const m = readPayload(stored.signed)
    const publisherKey = index.get(id)?.publisherKey ?? (m.publisher === init.rootKey.thumbprint ? init.rootKey.publicJwk : undefined)
    if (publisherKey === undefined) return undefined
    return {
      id, name: m.name, version: m.version, publisher: m.publisher, publisherKey, parent: m.parent,
      manifest: `/api/worlds/${id}/manifest`, hosts: live.hosts(id),
    }
  }
  const worlds = async (): Promise<WorldSummary[]> => {
    await load()
    return [...ids].sort().flatMap((id) => summary(id) ?? [])
  }

  const publish = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let bytes: Uint8Array
    try {
      bytes = await readBody(req, limits.maxBundleBytes)
    } catch (err) {
      res.setHeader('Connection', 'close')
      return refuse(req, res, err)
    }
    const run = queue.then(async () => {
      await load()
      return publishBundle(bytes, {
        store: init.store, index, rootKey: init.rootKey, publishers: init.publishers ?? 'open', limits, now: init.now?.() ?? new Date(),
      })
    })
    queue = run.catch(() => undefined)
    let accepted
    try {
      accepted = await run
    } catch (err) {
      return refuse(req, res, err)
    }
    const id = accepted.manifest.id
    ids.add(id)
    const base = init.publicUrl ?? `https://${req.headers.host ?? 'localhost'}/`
    const world: PublishedWorld = { ...(summary(id) as WorldSummary), url: new URL(`/?world=${id}`, base).href }
    sendJson(req, res, 201, world)
    Promise.resolve()
      .then(() => init.onPublished?.(world))
      .catch(onError)
  }

  return {
    worlds,
    handle: async (req, res) => {
      const path = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/'
      if (path === '/api/worlds') {
        if (req.method === 'POST') await publish(req, res)
        else if (req.method === 'GET' || req.method === 'HEAD') sendJson(req, res, 200, { worlds: await worlds() })
        else methodNotAllowed(req, res, 'GET, HEAD, POST')
        return true
      }
      const hosts = WORLD_HOSTS.exec(path)
      if (hosts !== null) {
        await load()
        await answerHosts(req, res, hosts[1] ?? '', hosts[2])
        return true
      }
      const one = ONE_WORLD.exec(path)
      if (one === null) return false
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        methodNotAllowed(req, res, 'GET, HEAD')
        return true
      }
      await load()
      const stored = init.store.latest(one[1] ?? '')
      if (stored === undefined) sendJson(req, res, 404, { error: `No world "${one[1]}" is published on this root.` })
      else sendJson(req, res, 200, stored.signed)
      return true
    },
  }

  /**
   * `GET|POST /api/worlds/:id/hosts` (list, announce or renew: `{ peerId, multiaddrs }` → `{ ttlMs }`) and
   * `DELETE /api/worlds/:id/hosts/:peerId`. Announcements are not authenticated yet: a listed host
   * is a hint where to dial, and joining nodes verify the world's bundle and state themselves.
   */
  async function answerHosts(req: IncomingMessage, res: ServerResponse, id: string, peerId: string | undefined): Promise<void> {
    if (init.store.latest(id) === undefined) return sendJson(req, res, 404, { error: `No world "${id}" is published on this root; publish it before hosting it.` })
    if (peerId !== undefined) {
      if (req.method !== 'DELETE') return methodNotAllowed(req, res, 'DELETE')
      return sendJson(req, res, live.withdraw(id, decodeURIComponent(peerId)) ? 200 : 404, { hosts: live.hosts(id) })
    }
    if (req.method === 'GET' || req.method === 'HEAD') return sendJson(req, res, 200, { hosts: live.hosts(id) })
    if (req.method !== 'POST') return methodNotAllowed(req, res, 'GET, HEAD, POST')
    let body: unknown
    try {
      body = JSON.parse(new TextDecoder().decode(await readBody(req, 16 * 1024)))
    } catch {
      return sendJson(req, res, 400, { error: 'Send the announcement as JSON: { peerId, multiaddrs }.', name: 'HostAnnouncementError' })
    }
    const parsed = hostAnnouncementSchema.safeParse(body)
    if (!parsed.success) {
      return sendJson(req, res, 400, { error: `The announcement is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.`, name: 'HostAnnouncementError' })
    }
    sendJson(req, res, 200, { ttlMs: live.announce(id, parsed.data) })
  }

  function refuse(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (err instanceof RegistryError || err instanceof BundleError) {
      const status = err instanceof RegistryError ? err.status : err instanceof BundleSizeError ? 413 : 400
      sendJson(req, res, status, { error: err.message, name: err.name })
      return
    }
    onError(err)
    sendJson(req, res, 500, { error: "The root failed to store the bundle; its operator's log has the details.", name: 'InternalError' })
  }
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow)
  sendJson(req, res, 405, { error: `${req.method ?? 'This method'} is not allowed here; use ${allow}.` })
}
