import { describe, expect, it } from 'vitest'
import { BundleHashError, BundlePathError, generateSigningKey, verifyBundleFiles, verifyFile } from '../src/index.js'
import { FILES, enc, overworldManifest } from './fixtures.js'

const manifest = await overworldManifest(await generateSigningKey())
const all = () => new Map(FILES.map((f) => [f.path, f.bytes]))

describe('verifyFile and verifyBundleFiles', () => {
  it('accepts the files the manifest lists', async () => {
    await verifyFile(manifest, 'world.json', FILES[0]!.bytes)
    await verifyBundleFiles(manifest, all())
  })

  it('refuses an altered file, saying which and what to do', async () => {
    const err = await verifyFile(manifest, 'world.json', enc('{"terrain":{"x":1}}')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BundleHashError)
    expect((err as Error).message).toBe(
      "The overworld bundle's file world.json does not match its signed hash: the root or a proxy served altered code. " +
        "Nothing from it was run. Reload; if it persists, tell the root's operator.",
    )
    // Same size, one byte changed.
    const same = Uint8Array.from(FILES[1]!.bytes)
    same[0] = same[0]! ^ 1
    await expect(verifyFile(manifest, 'rules.json', same)).rejects.toThrow(BundleHashError)
  })

  it('refuses unlisted and unsafe paths', async () => {
    await expect(verifyFile(manifest, 'main.js', enc(''))).rejects.toThrow(BundlePathError)
    for (const path of ['../x', '/etc/passwd', 'a\\b']) {
      await expect(verifyFile(manifest, path, enc(''))).rejects.toThrow(BundlePathError)
    }
  })

  it('refuses a missing file', async () => {
    const files = all()
    files.delete('assets/sky.txt')
    await expect(verifyBundleFiles(manifest, files)).rejects.toThrow(/missing its signed file assets\/sky.txt/)
  })

  it('refuses an extra file', async () => {
    const files = all().set('evil.js', enc('alert(1)'))
    await expect(verifyBundleFiles(manifest, files)).rejects.toThrow(BundlePathError)
  })
})
