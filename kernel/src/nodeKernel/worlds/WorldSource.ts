import { z } from 'zod'
import type { JWK, SignedManifest } from '@peercompute/signing'

/** The part of `fetch` a world source uses: the browser's `fetch` fits, Node gets `nodeFetch` (trusts a root's own CA). */
export type FetchLike = (url: string, init?: { method?: string; body?: string; headers?: Record<string, string> }) =>
  Promise<{ status: number; ok: boolean; json(): Promise<unknown>; arrayBuffer(): Promise<ArrayBuffer> }>

/** A node that hosts a world now, as the root's registry lists it. */
export interface WorldHostRecord { peerId: string; multiaddrs: string[]; since: number }

/** A published world as `GET /api/worlds` lists it (the fields a joining node uses). */
export interface WorldListEntry {
  id: string
  name: string
  version: string
  publisher: string
  publisherKey: JWK
  parent: string | null
  hosts: WorldHostRecord[]
}

/** Where a node gets worlds and finds their hosts: the root's HTTP API (see ARCHITECTURE.md). */
export interface WorldSource {
  /** The root's public signing key and libp2p identity (`/.well-known/peercompute.json`). */
  wellKnown(): Promise<{ rootKey: JWK; peerId: string; multiaddrs: string[] }>
  worlds(): Promise<WorldListEntry[]>
  /** The root-countersigned manifest of `id`. */
  manifest(id: string): Promise<SignedManifest>
  /** A file by its SHA-256. */
  blob(sha256: string): Promise<Uint8Array>
  /** Who hosts `id` now. */
  hosts(id: string): Promise<WorldHostRecord[]>
  /** Announces (or renews) this node as a host of `id`; resolves to how long it lasts, in ms. */
  announce(id: string, host: { peerId: string; multiaddrs: string[] }): Promise<number>
  withdraw(id: string, peerId: string): Promise<void>
}

/** Thrown when the root cannot be asked or answers something unusable; the message says what to check. */
export class WorldSourceError extends Error {
  override name = 'WorldSourceError'
}

const jwk = z.object({ kty: z.string() }).passthrough()
const hostSchema = z.object({ peerId: z.string().max(128), multiaddrs: z.array(z.string().max(512)).max(16), since: z.number() })
const wellKnownSchema = z.object({ rootKey: jwk, peerId: z.string(), multiaddrs: z.array(z.string()) })
const worldsSchema = z.object({
  worlds: z.array(z.object({
    id: z.string(), name: z.string(), version: z.string(), publisher: z.string(), publisherKey: jwk,
    parent: z.string().nullable(), hosts: z.array(hostSchema).max(64).default([])
  }))
})
const hostsSchema = z.object({ hosts: z.array(hostSchema).max(64) })

/** A {@link WorldSource} over a root's HTTPS API at `root` (e.g. `https://localhost:8443/`). */
export function httpWorldSource(init: { root: string; fetch?: FetchLike }): WorldSource {
  const base = new URL(init.root.endsWith('/') ? init.root : `${init.root}/`)
  const doFetch: FetchLike = init.fetch ?? ((url, options) => globalThis.fetch(url, options))
  const call = async (path: string, options?: Parameters<FetchLike>[1]): Promise<Awaited<ReturnType<FetchLike>>> => {
    const url = new URL(path, base).href
    let answer
    try {
      answer = await doFetch(url, options)
    } catch (err) {
      throw new WorldSourceError(`Cannot reach the root at ${base.origin} (${err instanceof Error ? err.message : String(err)}). Is it running, and is its certificate trusted?`)
    }
    if (!answer.ok) {
      const body = await answer.json().catch(() => null) as { error?: unknown } | null
      const detail = typeof body?.error === 'string' ? body.error : `status ${answer.status}`
      throw new WorldSourceError(`The root at ${base.origin} refused ${options?.method ?? 'GET'} ${path}: ${detail}`)
    }
    return answer
  }
  const json = async <T>(path: string, schema: z.ZodType<T>, options?: Parameters<FetchLike>[1]): Promise<T> => {
    const parsed = schema.safeParse(await (await call(path, options)).json().catch(() => null))
    if (!parsed.success) throw new WorldSourceError(`The root at ${base.origin} answered ${path} with something that is not a PeerCompute root's answer.`)
    return parsed.data
  }
  const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  return {
    wellKnown: async () => {
      const known = await json('.well-known/peercompute.json', wellKnownSchema)
      return { rootKey: known.rootKey as JWK, peerId: known.peerId, multiaddrs: known.multiaddrs }
    },
    worlds: async () => (await json('api/worlds', worldsSchema)).worlds.map((w) => ({ ...w, publisherKey: w.publisherKey as JWK })),
    manifest: async (id) => await (await call(`api/worlds/${encodeURIComponent(id)}/manifest`)).json() as SignedManifest,
    blob: async (sha256) => new Uint8Array(await (await call(`blobs/${encodeURIComponent(sha256)}`)).arrayBuffer()),
    hosts: async (id) => (await json(`api/worlds/${encodeURIComponent(id)}/hosts`, hostsSchema)).hosts,
    announce: async (id, host) => (await json(`api/worlds/${encodeURIComponent(id)}/hosts`, z.object({ ttlMs: z.number() }), post(host))).ttlMs,
    withdraw: async (id, peerId) => {
      await call(`api/worlds/${encodeURIComponent(id)}/hosts/${encodeURIComponent(peerId)}`, { method: 'DELETE' }).catch(() => {})
    }
  }
}
