import { describe, expect, it } from 'vitest'
import { BundleFormatError, BundlePathError, buildManifest, sha256Hex } from '../src/index.js'
import { FILES, NOW, enc } from './fixtures.js'

const base = {
  id: 'overworld',
  name: 'Overworld',
  version: '1.0.0',
  parent: null,
  entry: 'world.json',
  rules: {},
  publisher: '',
  files: FILES,
  now: NOW,
}

describe('buildManifest', () => {
  it('hashes every file, sorts them by path and sets the times', async () => {
    const m = await buildManifest({ ...base, ttlSeconds: 60 })
    expect(m.files.map((f) => f.path)).toEqual(['assets/sky.txt', 'rules.json', 'world.json'])
    expect(m.files[0]).toEqual({ path: 'assets/sky.txt', size: 4, sha256: await sha256Hex(enc('blue')) })
    expect(m.created).toBe('2026-01-01T00:00:00.000Z')
    expect(m.expires).toBe('2026-01-01T00:01:00.000Z')
    expect(m.publisher).toBe('')
  })

  it('computes the standard SHA-256', async () => {
    expect(await sha256Hex(enc('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it.each(['../x', '/etc/passwd', 'a\\b', 'a//b', './a', 'C:/x', ''])('refuses the path %j', async (path) => {
    await expect(buildManifest({ ...base, files: [...FILES, { path, bytes: enc('x') }] })).rejects.toThrow(BundlePathError)
  })

  it('refuses duplicate paths', async () => {
    await expect(buildManifest({ ...base, files: [...FILES, FILES[0]!] })).rejects.toThrow(BundlePathError)
  })

  it('refuses an entry that is not a listed file', async () => {
    await expect(buildManifest({ ...base, entry: 'main.js' })).rejects.toThrow(BundleFormatError)
  })

  it.each([
    ['id', { id: 'Overworld!' }],
    ['version', { version: '1.0' }],
    ['parent', { parent: 'Not An Id' }],
    ['publisher', { publisher: 'short' }],
  ])('refuses a bad %s', async (_field, patch) => {
    await expect(buildManifest({ ...base, ...patch })).rejects.toThrow(BundleFormatError)
  })
})
