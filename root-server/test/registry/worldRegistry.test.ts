import { GeneralSign, importJWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBundleFile, generateSigningKey, verifyManifest } from '@peercompute/signing'
import type { SigningKey } from '@peercompute/signing'
import { call, enc, listTree, rewrite, signedBundle, startTestRegistry, unsignedBundle } from './registryFixtures.js'
import type { TestRegistry } from './registryFixtures.js'

let reg: TestRegistry
let alice: SigningKey
let mallory: SigningKey

beforeAll(async () => {
  ;[alice, mallory] = await Promise.all([generateSigningKey(), generateSigningKey()])
  reg = await startTestRegistry({ limits: { maxBundleBytes: 256 * 1024, maxFileBytes: 64 * 1024 } })
})
afterAll(() => reg.stop())

const post = (bytes: Uint8Array) => call(reg.url, '/api/worlds', 'POST', bytes)

describe('worldRegistry over HTTPS', () => {
  it('publishes a signed bundle: stores blobs and the countersigned manifest, lists it, announces it', async () => {
    const bundle = await signedBundle(alice, 'garden', '1.0.0')
    const answer = await post(bundle)
    expect(answer.status).toBe(201)
    expect(answer.json).toMatchObject({ id: 'garden', version: '1.0.0', publisher: alice.thumbprint, parent: 'overworld' })
    expect(answer.json.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?world=garden$/)
    expect(reg.published.map((w) => w.id)).toEqual(['garden'])

    const signed = await call(reg.url, '/api/worlds/garden')
    expect(signed.status).toBe(200)
    const manifest = await verifyManifest(signed.json, { rootKey: reg.rootKey.publicJwk, publisherKey: alice.publicJwk })
    expect(manifest.version).toBe('1.0.0')
    const tree = await listTree(reg.dataDir)
    for (const f of manifest.files) expect(tree).toContain(`blobs/${f.sha256}`)
    expect(tree).toContain('bundles/garden/1.0.0/manifest.jws.json')

    const list = await call(reg.url, '/api/worlds')
    expect(list.json.worlds.map((w: { id: string }) => w.id)).toEqual(['garden', 'overworld'])
    expect(list.json.worlds[0]).toMatchObject({ name: 'World garden', publisher: alice.thumbprint, publisherKey: { x: alice.publicJwk.x } })
    expect(list.json.worlds[1]).toMatchObject({ publisher: reg.rootKey.thumbprint, parent: null })
  })

  it('accepts a higher version from the same key', async () => {
    expect((await post(await signedBundle(alice, 'garden', '1.1.0'))).status).toBe(201)
    expect((await call(reg.url, '/api/worlds')).json.worlds[0].version).toBe('1.1.0')
  })

  const refusals: [string, () => Promise<Uint8Array>, number, RegExp][] = [
    ['a bad signature', async () => rewrite(await signedBundle(alice, 'garden', '2.0.0'), (h) => {
      const s = h.signed!.signatures[0]!
      s.signature = s.signature.slice(0, 9) + (s.signature[9] === 'A' ? 'B' : 'A') + s.signature.slice(10)
    }), 400, /signature does not verify/],
    ['a missing signature (unsigned)', () => unsignedBundle('garden', '2.0.0'), 400, /not signed/],
    ['a signature by another key than the one carried', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (h) => { h.publisherKey = mallory.publicJwk }), 400, /no publisher signature by the expected/],
    ['a file altered after signing', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => f.set('main.js', enc('evil()'))), 400, /main\.js does not match its signed hash/],
    ['a file added', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => f.set('extra.js', enc('1'))), 400, /extra\.js, which its signed manifest does not list/],
    ['a file missing', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => f.delete('main.js')), 400, /missing its signed file main\.js/],
    ['files mixed from two versions', async () => {
      const old = decodeBundleFile(await signedBundle(alice, 'garden', '1.0.0')).files
      return rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => f.set('world.json', old.get('world.json')!))
    }, 400, /world\.json does not match/],
    ['a rollback to an older version', () => signedBundle(alice, 'garden', '0.9.0'), 409, /not higher than 1\.1\.0/],
    ['the same version again', () => signedBundle(alice, 'garden', '1.1.0'), 409, /not higher than 1\.1\.0/],
    ['an expired manifest', () => signedBundle(alice, 'garden', '2.0.0', { ttlSeconds: 0.001 }), 400, /expired/],
    ['a world id owned by another key', () => signedBundle(mallory, 'garden', '9.0.0'), 403, /belongs to another publisher key/],
    ['the overworld id, owned by the root', () => signedBundle(mallory, 'overworld', '9.0.0'), 403, /belongs to another publisher key/],
    ['a bundle over the size limit', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => {
        for (let i = 0; i < 5; i++) f.set(`big${i}.bin`, new Uint8Array(60 * 1024))
      }), 413, /more than the 256\.0 KiB this root accepts|more than the 256\.0 KiB allowed/],
    ['a file over the size limit', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => f.set('big.bin', new Uint8Array(65 * 1024))), 413, /big\.bin is 65\.0 KiB/],
    ['a malformed JWS', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (h) => { h.signed!.payload = 'not base64url!' }), 400, /malformed|not a General JWS/],
    ['malformed JSON (not a bundle)', async () => enc('{"this is": "not a bundle"}'), 400, /not a PeerCompute bundle file/],
    ['a path that escapes with ../', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => f.set('../evil.js', enc('x'))), 400, /climbs out of the bundle/],
    ['an absolute path', async () =>
      rewrite(await signedBundle(alice, 'garden', '2.0.0'), (_h, f) => f.set('/etc/evil', enc('x'))), 400, /is absolute/],
    ['an unknown parent world', async () => {
      const { signBundle } = await import('@peercompute/signing')
      return signBundle(await unsignedBundle('lost', '1.0.0', { parent: 'nowhere' }), alice)
    }, 400, /parent world "nowhere" is not published/],
    ['rules that break the basis rules', async () => {
      const { signBundle } = await import('@peercompute/signing')
      return signBundle(await unsignedBundle('fast', '1.0.0', { rules: { movement: { walkSpeed: 'fast' } } }), alice)
    }, 400, /movement\.walkSpeed/],
  ]

  it.each(refusals)('refuses %s, with a reason, storing nothing', async (_what, make, status, reason) => {
    const bundle = await make()
    const before = await listTree(reg.dataDir)
    const answer = await post(bundle)
    expect(answer.status).toBe(status)
    expect(answer.json.error).toMatch(reason)
    expect(await listTree(reg.dataDir)).toEqual(before)
    expect(reg.published.map((w) => w.id)).toEqual(['garden', 'garden'])
  })

  it('refuses a malformed manifest signed by its publisher', async () => {
    const bundle = await signedBundle(alice, 'garden', '3.0.0')
    const { header } = decodeBundleFile(bundle)
    const payload = { ...JSON.parse(Buffer.from(header.signed!.payload, 'base64url').toString()), files: 'none' }
    const jws = await new GeneralSign(enc(JSON.stringify(payload)))
      .addSignature(await importJWK(alice.privateJwk, 'EdDSA'))
      .setProtectedHeader({ alg: 'EdDSA', kid: alice.thumbprint, role: 'publisher' })
      .sign()
    const bad = rewrite(bundle, (h) => {
      h.signed = { payload: jws.payload, signatures: [{ protected: jws.signatures[0]!.protected!, signature: jws.signatures[0]!.signature }] }
    })
    const answer = await post(bad)
    expect(answer.status).toBe(400)
    expect(answer.json).toMatchObject({ name: 'BundleFormatError' })
    expect(answer.json.error).toMatch(/manifest is malformed \(files:/)
  })

  it('keeps the owner of a world id across restarts', async () => {
    const again = await startTestRegistry({ dataDir: reg.dataDir, rootKey: reg.rootKey })
    try {
      expect((await call(again.url, '/api/worlds/garden')).status).toBe(200)
      const answer = await call(again.url, '/api/worlds', 'POST', await signedBundle(mallory, 'garden', '5.0.0'))
      expect(answer.status).toBe(403)
    } finally {
      await again.stop()
    }
  })

  it('answers 404 for an unknown world and 405 for other methods', async () => {
    expect((await call(reg.url, '/api/worlds/nowhere')).status).toBe(404)
    expect((await call(reg.url, '/api/worlds', 'DELETE')).status).toBe(405)
  })
})

describe('worldRegistry allowlist', () => {
  it('accepts only listed publisher keys', async () => {
    const only = await startTestRegistry({ publishers: [alice.thumbprint] })
    try {
      const refused = await call(only.url, '/api/worlds', 'POST', await signedBundle(mallory, 'den', '1.0.0'))
      expect(refused.status).toBe(403)
      expect(refused.json.error).toMatch(/PEERCOMPUTE_PUBLISHERS/)
      expect((await call(only.url, '/api/worlds', 'POST', await signedBundle(alice, 'den', '1.0.0'))).status).toBe(201)
    } finally {
      await only.stop()
    }
  })
})
