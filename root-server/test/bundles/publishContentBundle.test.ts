import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { contentBundlesDir } from '@peercompute/content'
import { sha256Hex, verifyManifest } from '@peercompute/signing'
import { afterEach, describe, expect, it } from 'vitest'
import { BundleStore } from '../../src/bundles/bundleStore.js'
import { ContentBundleError, publishContentBundle, RESIGN_MARGIN_SECONDS } from '../../src/bundles/publishContentBundle.js'
import { loadOrCreateSigningKey } from '../../src/dataDir/rootSigningKey.js'
import { tempDir, writeOverworldBuild } from '../fixtures.js'

describe('publishContentBundle', () => {
  let cleanup = async (): Promise<void> => {}
  afterEach(() => cleanup())

  async function setup() {
    const dir = await tempDir()
    cleanup = dir.cleanup
    const bundles = join(dir.path, 'content')
    await writeOverworldBuild(bundles)
    const key = await loadOrCreateSigningKey(join(dir.path, 'data'))
    return { dir: dir.path, bundleDir: join(bundles, 'overworld'), bundles, key, data: join(dir.path, 'data') }
  }

  it('signs the build as root, stores blobs and the manifest, and serves the newest', async () => {
    const s = await setup()
    const store = new BundleStore(s.data)
    expect(await publishContentBundle(s.bundleDir, s.key, store)).toMatchObject({ id: 'overworld', version: '1.0.0', signed: true })
    const stored = store.latest('overworld')
    expect(stored?.version).toBe('1.0.0')
    const manifest = await verifyManifest(stored?.signed, { rootKey: s.key.publicJwk })
    expect(manifest.publisher).toBe(s.key.thumbprint)
    for (const f of manifest.files) {
      const bytes = await readFile(store.blobPath(f.sha256))
      expect(await sha256Hex(bytes)).toBe(f.sha256)
    }
    const onDisk = JSON.parse(await readFile(join(s.data, 'bundles', 'overworld', '1.0.0', 'manifest.jws.json'), 'utf8'))
    expect(onDisk).toEqual(stored?.signed)
  })

  it('keeps a good signature, re-signs near expiry, on a new version and on changed files', async () => {
    const s = await setup()
    const store = new BundleStore(s.data)
    await publishContentBundle(s.bundleDir, s.key, store)
    const again = new BundleStore(s.data)
    await again.load()
    expect(again.latest('overworld')?.version).toBe('1.0.0')
    expect((await publishContentBundle(s.bundleDir, s.key, again)).signed).toBe(false)

    const nearExpiry = new Date(Date.now() + (30 * 24 * 3600 - RESIGN_MARGIN_SECONDS + 60) * 1000)
    expect((await publishContentBundle(s.bundleDir, s.key, again, nearExpiry)).signed).toBe(true)

    await writeOverworldBuild(s.bundles, '1.1.0')
    expect(await publishContentBundle(s.bundleDir, s.key, again)).toMatchObject({ version: '1.1.0', signed: true })
    expect(again.latest('overworld')?.version).toBe('1.1.0')

    await writeOverworldBuild(s.bundles, '1.1.0', '{"spawn":[1,2,3]}')
    expect((await publishContentBundle(s.bundleDir, s.key, again)).signed).toBe(true)
  })

  it('tells the user to build the content when it is missing', async () => {
    const s = await setup()
    await expect(publishContentBundle(join(s.dir, 'nothing'), s.key, new BundleStore(s.data))).rejects.toThrow(ContentBundleError)
    await expect(publishContentBundle(join(s.dir, 'nothing'), s.key, new BundleStore(s.data))).rejects.toThrow(/npm run build/)
  })

  it('signs the real overworld build of @peercompute/content', async () => {
    const s = await setup()
    const store = new BundleStore(s.data)
    const result = await publishContentBundle(join(contentBundlesDir(), 'overworld'), s.key, store)
    expect(result).toMatchObject({ id: 'overworld', signed: true })
    const manifest = await verifyManifest(store.latest('overworld')?.signed, { rootKey: s.key.publicJwk })
    expect(manifest.files.map((f) => f.path)).toContain(manifest.entry)
  })
})
