import { readdir } from 'node:fs/promises'
import { createServer, request } from 'node:https'
import { join } from 'node:path'
import {
  buildManifest,
  decodeBundleFile,
  encodeBundleFile,
  generateSigningKey,
  signBundle,
} from '@peercompute/signing'
import type { BundleFileHeader, SigningKey } from '@peercompute/signing'
import { BundleStore } from '../../src/bundles/bundleStore.js'
import { publishContentBundle } from '../../src/bundles/publishContentBundle.js'
import { loadOrCreateCertificate } from '../../src/dataDir/tlsCertificate.js'
import { worldRegistry } from '../../src/registry/worldRegistry.js'
import type { PublishedWorld, WorldRegistryInit } from '../../src/registry/worldRegistry.js'
import { tempDir, writeOverworldBuild } from '../fixtures.js'

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A valid world.json (WorldDefinition) whose sky colour marks the version. */
export function worldJson(version: string): string {
  const shade = version.replace(/\D/g, '').padEnd(6, '0').slice(0, 6)
  return JSON.stringify({
    terrain: { seed: 7, size: 64, resolution: 17, amplitude: 2 },
    spawn: [0, 2, 0],
    props: [],
    sky: { color: `#${shade}` },
    fog: { color: '#ffffff', density: 0.01 },
  })
}

/** An unsigned bundle file of world `id`@`version` (a build output). */
export async function unsignedBundle(
  id = 'garden',
  version = '1.0.0',
  extra: { parent?: string | null; rules?: Record<string, unknown> } = {},
): Promise<Uint8Array> {
  const files = [
    { path: 'main.js', bytes: enc('// the world script (issue 6)\n') },
    { path: 'world.json', bytes: enc(worldJson(version)) },
  ]
  const manifest = await buildManifest({
    id, name: `World ${id}`, version, parent: extra.parent === undefined ? 'overworld' : extra.parent, entry: 'world.json',
    rules: extra.rules ?? { movement: { fly: true } }, publisher: '', files,
  })
  return encodeBundleFile({ manifest }, files)
}

/** A bundle of `id`@`version` signed by `key`. */
export async function signedBundle(key: SigningKey, id = 'garden', version = '1.0.0', opts: { ttlSeconds?: number } = {}): Promise<Uint8Array> {
  return signBundle(await unsignedBundle(id, version), key, opts)
}

/** Decodes `bytes`, lets `change` edit header and files, encodes the result. */
export function rewrite(bytes: Uint8Array, change: (h: BundleFileHeader, files: Map<string, Uint8Array>) => void): Uint8Array {
  const { header, files } = decodeBundleFile(bytes, { limits: { maxBundleBytes: 1e9, maxFileBytes: 1e9 } })
  const h = structuredClone(header)
  const copy = new Map(files)
  change(h, copy)
  const rest: Partial<BundleFileHeader> = h
  delete rest.format
  delete rest.entries
  return encodeBundleFile(rest, [...copy].map(([path, b]) => ({ path, bytes: b })))
}

/** Every file under `dir`, relative, sorted: what "nothing stored" compares. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()
}

/** A registry on its own HTTPS server (127.0.0.1, port 0), with the overworld published by the root. */
export interface TestRegistry {
  url: string
  dataDir: string
  rootKey: SigningKey
  published: PublishedWorld[]
  stop(): Promise<void>
}

export async function startTestRegistry(
  opts: Partial<Pick<WorldRegistryInit, 'publishers' | 'limits' | 'now'>> & { dataDir?: string; rootKey?: SigningKey } = {},
): Promise<TestRegistry> {
  const temp = opts.dataDir === undefined ? await tempDir('pc-registry-') : undefined
  const dataDir = opts.dataDir ?? temp!.path
  const rootKey = opts.rootKey ?? (await generateSigningKey())
  const tls = await loadOrCreateCertificate(dataDir, 'localhost')
  const store = new BundleStore(dataDir)
  await store.load()
  await writeOverworldBuild(join(dataDir, 'content'))
  await publishContentBundle(join(dataDir, 'content', 'overworld'), rootKey, store)
  const published: PublishedWorld[] = []
  const registry = worldRegistry({ dataDir, store, rootKey, ...opts, onPublished: (w) => void published.push(w), onError: () => {} })
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    registry.handle(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end()
      },
      () => res.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `https://localhost:${port}/`,
    dataDir,
    rootKey,
    published,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await temp?.cleanup()
    },
  }
}

/** One HTTPS request to 127.0.0.1 (any certificate), answered as status + parsed JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
export function call(url: string, path: string, method = 'GET', body?: Uint8Array): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: u.port, path, method, rejectUnauthorized: false, agent: false, headers: body ? { 'content-type': 'application/octet-stream', 'content-length': body.byteLength } : {} },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown = text
          try {
            json = JSON.parse(text)
          } catch {
            // plain text answers stay text
          }
          resolve({ status: res.statusCode ?? 0, json, headers: res.headers })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
