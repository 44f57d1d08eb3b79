import { describe, expect, it } from 'vitest'
import { buildManifest, generateSigningKey, signManifest, type SignedManifest, type SigningKey } from '@peercompute/signing'
import { loadWorldBundle, type BundleProgress } from '../../src/bundle/loadWorldBundle.js'
import type { FetchLike } from '../../src/bundle/fetchFromRoot.js'

const world = {
  terrain: { seed: 7, size: 64, resolution: 17, amplitude: 4 },
  spawn: [0, 1, 0],
  props: [{ id: 'crate', shape: 'box', size: [1, 1, 1], position: [3, 2, 3], mass: 10, color: '#c08040' }],
  sky: { color: '#87a8d0' },
  fog: { color: '#9fb4cc', density: 0.004 },
}
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

interface Served {
  key: SigningKey
  signed: SignedManifest
  blobs: Map<string, Uint8Array>
}

/** Builds and root-signs a real overworld bundle, the way the root does at start. */
async function serveBundle(): Promise<Served> {
  const key = await generateSigningKey()
  const files = [
    { path: 'world.json', bytes: encode(world) },
    { path: 'rules.json', bytes: encode({ chat: { maxLength: 200 } }) },
    { path: 'assets/readme.txt', bytes: new TextEncoder().encode('x'.repeat(70_000)) },
  ]
  const manifest = await buildManifest({
    id: 'overworld', name: 'Overworld', version: '1.0.0', parent: null, entry: 'world.json',
    rules: { chat: { maxLength: 200 } }, publisher: key.thumbprint, files,
  })
  const signed = await signManifest(manifest, key, 'root')
  const blobs = new Map<string, Uint8Array>()
  for (const file of manifest.files) blobs.set(file.sha256, files.find((f) => f.path === file.path)!.bytes)
  return { key, signed, blobs }
}

/** An in-memory root: the manifest route and the blob route, as root-server serves them. */
function memoryRoot(served: Served, blobs = served.blobs): FetchLike {
  return async (url) => {
    if (url === '/api/worlds/overworld/manifest') return new Response(JSON.stringify(served.signed), { headers: { 'content-type': 'application/json' } })
    const blob = /^\/blobs\/([0-9a-f]{64})$/.exec(url)
    const bytes = blob === null ? undefined : blobs.get(blob[1]!)
    return bytes === undefined ? new Response('not found', { status: 404 }) : new Response(bytes.slice())
  }
}

describe('loadWorldBundle', () => {
  it('verifies a good bundle and returns the parsed world and rules, reporting byte progress', async () => {
    const served = await serveBundle()
    const progress: BundleProgress[] = []
    const loaded = await loadWorldBundle({ worldId: 'overworld', rootKey: served.key.publicJwk, fetch: memoryRoot(served), onProgress: (p) => progress.push(p) })
    expect(loaded.manifest.id).toBe('overworld')
    expect(loaded.definition.props[0]?.id).toBe('crate')
    expect(loaded.definition.terrain.resolution).toBe(17)
    expect(loaded.rules.chat.maxLength).toBe(200)
    expect(loaded.rules.movement.walkSpeed).toBe(4)
    expect(loaded.files.size).toBe(3)
    const total = loaded.manifest.files.reduce((n, f) => n + f.size, 0)
    expect(progress[0]).toEqual({ loaded: 0, total })
    expect(progress.at(-1)).toEqual({ loaded: total, total })
  })

  it('refuses a tampered file with BundleHashError', async () => {
    const served = await serveBundle()
    const blobs = new Map(served.blobs)
    const [sha, bytes] = [...blobs].find(([, b]) => b.byteLength === encode(world).byteLength)!
    const tampered = bytes.slice()
    tampered[10] = tampered[10]! ^ 0x20
    blobs.set(sha, tampered)
    await expect(loadWorldBundle({ worldId: 'overworld', rootKey: served.key.publicJwk, fetch: memoryRoot(served, blobs) }))
      .rejects.toMatchObject({ name: 'BundleHashError' })
  })

  it('stops reading a blob that is longer than the manifest says, and refuses it', async () => {
    const served = await serveBundle()
    const blobs = new Map([...served.blobs].map(([sha, b]) => [sha, b.byteLength > 1000 ? new Uint8Array(b.byteLength * 20) : b]))
    await expect(loadWorldBundle({ worldId: 'overworld', rootKey: served.key.publicJwk, fetch: memoryRoot(served, blobs) }))
      .rejects.toMatchObject({ name: 'BundleHashError' })
  })

  it('refuses a manifest signed by a key other than the pinned root key', async () => {
    const served = await serveBundle()
    const other = await generateSigningKey()
    await expect(loadWorldBundle({ worldId: 'overworld', rootKey: other.publicJwk, fetch: memoryRoot(served) }))
      .rejects.toMatchObject({ name: 'BundleSignatureError' })
  })

  it('refuses an expired manifest', async () => {
    const served = await serveBundle()
    await expect(loadWorldBundle({ worldId: 'overworld', rootKey: served.key.publicJwk, fetch: memoryRoot(served), now: new Date(Date.now() + 400 * 86_400_000) }))
      .rejects.toMatchObject({ name: 'BundleExpiredError' })
  })

  it('turns a missing blob into RootFetchError that names the file', async () => {
    const served = await serveBundle()
    await expect(loadWorldBundle({ worldId: 'overworld', rootKey: served.key.publicJwk, fetch: memoryRoot(served, new Map()) }))
      .rejects.toMatchObject({ name: 'RootFetchError', message: expect.stringMatching(/HTTP 404/) })
  })
})
