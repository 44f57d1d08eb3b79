import { GeneralSign, importJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  BundleExpiredError,
  BundleFormatError,
  BundleHashError,
  BundlePathError,
  BundleSignatureError,
  BundleSizeError,
  decodeBundleFile,
  encodeBundleFile,
  signBundle,
  verifyBundle,
} from '../src/index.js'
import type { BundleFileHeader } from '../src/index.js'
import { generateSigningKey, signedBundle, unsignedBundle, worldFiles } from './bundleFixtures.js'
import { NOW, enc, flipChar } from './fixtures.js'

const alice = await generateSigningKey()
const mallory = await generateSigningKey()
const good = await signedBundle(alice)
const opts = { now: NOW }

/** Decodes `bytes`, lets `change` edit the header and files, and encodes the result. */
function rewrite(
  bytes: Uint8Array,
  change: (header: BundleFileHeader, files: Map<string, Uint8Array>) => void,
): Uint8Array {
  const { header, files } = decodeBundleFile(bytes)
  const copy = new Map(files)
  const h = structuredClone(header)
  change(h, copy)
  const rest: Partial<BundleFileHeader> = h
  delete rest.format
  delete rest.entries
  return encodeBundleFile(rest, [...copy].map(([path, b]) => ({ path, bytes: b })))
}

describe('verifyBundle', () => {
  it('accepts a bundle signed by its publisher and returns its manifest and files', async () => {
    const v = await verifyBundle(good, opts)
    expect(v.manifest).toMatchObject({ id: 'garden', version: '1.0.0', publisher: alice.thumbprint, parent: 'overworld' })
    expect([...v.files.keys()]).toEqual(['main.js', 'rules.json', 'world.json'])
    await verifyBundle(good, { ...opts, publisherKey: alice.publicJwk })
  })

  it('refuses an unsigned bundle', async () => {
    await expect(verifyBundle(await unsignedBundle(), opts)).rejects.toThrow(/not signed/)
  })

  it('refuses a bad signature', async () => {
    const bad = rewrite(good, (h) => {
      const s = h.signed!.signatures[0]!
      s.signature = flipChar(s.signature, 5)
    })
    await expect(verifyBundle(bad, opts)).rejects.toThrow(BundleSignatureError)
  })

  it('refuses a missing signature', async () => {
    const none = rewrite(good, (h) => {
      h.signed!.signatures = []
    })
    await expect(verifyBundle(none, opts)).rejects.toThrow(BundleFormatError)
  })

  it('refuses a signature by another key than the one carried or expected', async () => {
    const swapped = rewrite(good, (h) => {
      h.publisherKey = mallory.publicJwk
    })
    await expect(verifyBundle(swapped, opts)).rejects.toThrow(BundleSignatureError)
    await expect(verifyBundle(good, { ...opts, publisherKey: mallory.publicJwk })).rejects.toThrow(/not by the expected key/)
  })

  it('refuses a manifest naming another publisher than the signer', async () => {
    const bundle = await signedBundle(alice)
    const { header } = decodeBundleFile(bundle)
    const payload = new TextEncoder().encode(
      JSON.stringify({ ...JSON.parse(Buffer.from(header.signed!.payload, 'base64url').toString()), publisher: mallory.thumbprint }),
    )
    const jws = await new GeneralSign(payload)
      .addSignature(await importJWK(alice.privateJwk, 'EdDSA'))
      .setProtectedHeader({ alg: 'EdDSA', kid: alice.thumbprint, role: 'publisher' })
      .sign()
    const forged = rewrite(bundle, (h) => {
      h.signed = { payload: jws.payload, signatures: [{ protected: jws.signatures[0]!.protected!, signature: jws.signatures[0]!.signature }] }
    })
    await expect(verifyBundle(forged, opts)).rejects.toThrow(/names publisher/)
  })

  it('refuses a file altered after signing', async () => {
    const bad = rewrite(good, (_h, files) => files.set('main.js', enc('// evil\n')))
    await expect(verifyBundle(bad, opts)).rejects.toThrow(BundleHashError)
    await expect(verifyBundle(bad, opts)).rejects.toThrow(/main\.js does not match its signed hash/)
  })

  it('refuses a file added or missing', async () => {
    const added = rewrite(good, (_h, files) => files.set('extra.js', enc('1')))
    await expect(verifyBundle(added, opts)).rejects.toThrow(BundlePathError)
    const missing = rewrite(good, (_h, files) => files.delete('main.js'))
    await expect(verifyBundle(missing, opts)).rejects.toThrow(/missing its signed file main\.js/)
  })

  it('verifies files larger than a hashing slice (1 MiB), and refuses one whose last byte changed', async () => {
    const big = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => (i * 7919) & 0xff)
    const files = [...worldFiles(), { path: 'assets/terrain.bin', bytes: big }]
    const bundle = await signBundle(await unsignedBundle('garden', '1.0.0', files), alice, { now: NOW, ttlSeconds: 3600 })
    const v = await verifyBundle(bundle, opts)
    expect(Buffer.from(v.files.get('assets/terrain.bin')!).equals(big)).toBe(true)
    const changed = Uint8Array.from(big)
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 1
    const bad = rewrite(bundle, (_h, f) => f.set('assets/terrain.bin', changed))
    await expect(verifyBundle(bad, opts)).rejects.toThrow(/assets\/terrain\.bin does not match its signed hash/)
  })

  it('reports a bad signature before an altered file', async () => {
    const bad = rewrite(good, (h, files) => {
      const s = h.signed!.signatures[0]!
      s.signature = flipChar(s.signature, 5)
      files.set('main.js', enc('// evil\n'))
    })
    await expect(verifyBundle(bad, opts)).rejects.toThrow(BundleSignatureError)
  })

  it('refuses files mixed from two versions', async () => {
    const v2 = decodeBundleFile(await signedBundle(alice, 'garden', '2.0.0')).files
    const mixed = rewrite(good, (_h, files) => files.set('world.json', v2.get('world.json')!))
    await expect(verifyBundle(mixed, opts)).rejects.toThrow(/world\.json does not match/)
  })

  it('refuses an expired manifest', async () => {
    await expect(verifyBundle(good, { now: new Date(NOW.getTime() + 7200_000) })).rejects.toThrow(BundleExpiredError)
  })

  it('refuses a bundle or a file over the size limits', async () => {
    await expect(verifyBundle(good, { ...opts, limits: { maxBundleBytes: 100 } })).rejects.toThrow(BundleSizeError)
    await expect(verifyBundle(good, { ...opts, limits: { maxFileBytes: 12 } })).rejects.toThrow('The bundle\'s file rules.json is 25 bytes, more than the 12 bytes allowed for one file. Make it smaller or split it.')
  })

  it.each([
    ['not a bundle', enc('hello world, not a bundle')],
    ['truncated', good.subarray(0, good.byteLength - 3)],
    ['trailing bytes', new Uint8Array([...good, 1, 2])],
    ['a header that is not JSON', new Uint8Array([0x50, 0x43, 0x42, 0x31, 0, 0, 0, 2, 0x7b, 0x7b])],
  ])('refuses a malformed bundle file: %s', async (_what, bytes) => {
    await expect(verifyBundle(bytes, opts)).rejects.toThrow(BundleFormatError)
  })

  it('refuses a malformed JWS or manifest', async () => {
    const badJws = rewrite(good, (h) => {
      h.signed!.payload = '***'
    })
    await expect(verifyBundle(badJws, opts)).rejects.toThrow(BundleFormatError)
    const badManifest = await signBundle(
      rewrite(await unsignedBundle(), (h) => {
        h.manifest = { ...(h.manifest as object), version: 'one' }
      }),
      alice,
    ).catch((e: unknown) => e)
    expect(badManifest).toBeInstanceOf(BundleFormatError)
    expect((badManifest as Error).message).toMatch(/version: must be a semantic version/)
  })

  it.each([['../escape.js'], ['/etc/passwd'], ['a/../../b'], ['C:/x']])('refuses a path that escapes: %s', async (path) => {
    const bad = rewrite(good, (_h, files) => files.set(path, enc('x')))
    await expect(verifyBundle(bad, opts)).rejects.toThrow(BundlePathError)
  })

  it('signs a build output so that it verifies, and re-signs a signed bundle', async () => {
    const resigned = await signBundle(good, mallory, { now: NOW })
    const v = await verifyBundle(resigned, opts)
    expect(v.manifest.publisher).toBe(mallory.thumbprint)
    expect(v.manifest.files.map((f) => f.path)).toEqual(worldFiles().map((f) => f.path))
  })
})
