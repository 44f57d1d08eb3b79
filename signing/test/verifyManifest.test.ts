import { GeneralSign, base64url, importJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  BundleError,
  BundleExpiredError,
  BundleFormatError,
  BundlePathError,
  BundleSignatureError,
  BundleSizeError,
  countersign,
  generateSigningKey,
  signManifest,
  verifyManifest,
} from '../src/index.js'
import type { SignedManifest, SigningKey } from '../src/index.js'
import { signedManifestJsonBytes, verifyPublisherJws } from '../src/verifyManifest.js'
import { NOW, enc, flipChar, overworldManifest } from './fixtures.js'

const root = await generateSigningKey()
const manifest = await overworldManifest(root)
const signed = await signManifest(manifest, root, 'root')
const opts = { rootKey: root.publicJwk, now: NOW }

/** Signs any payload as the root would, bypassing signManifest's own checks. */
async function signRaw(payload: unknown, key: SigningKey = root): Promise<SignedManifest> {
  const jws = await new GeneralSign(enc(JSON.stringify(payload)))
    .addSignature(await importJWK(key.privateJwk, 'EdDSA'))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.thumbprint, role: 'root' })
    .sign()
  return { payload: jws.payload, signatures: [{ protected: jws.signatures[0]!.protected!, signature: jws.signatures[0]!.signature }] }
}

describe('verifyManifest', () => {
  it('returns the manifest of a root-signed bundle, given as an object or as JSON text', async () => {
    expect(await verifyManifest(signed, opts)).toEqual(manifest)
    expect(await verifyManifest(JSON.stringify(signed), opts)).toEqual(manifest)
  })

  it('refuses a bad signature', async () => {
    const sig = signed.signatures[0]!
    const bad = { ...signed, signatures: [{ ...sig, signature: flipChar(sig.signature, 10) }] }
    await expect(verifyManifest(bad, opts)).rejects.toThrow(BundleSignatureError)
  })

  it('refuses a bundle signed by another key', async () => {
    const other = await generateSigningKey()
    await expect(verifyManifest(signed, { ...opts, rootKey: other.publicJwk })).rejects.toThrow(BundleSignatureError)
    // Another key claiming the root's kid does not verify either.
    const forged = await signManifest(manifest, { ...other, thumbprint: root.thumbprint }, 'root')
    await expect(verifyManifest(forged, opts)).rejects.toThrow(/does not verify/)
  })

  it('refuses an altered payload', async () => {
    const altered = base64url.encode(enc(JSON.stringify({ ...manifest, version: '6.6.6' })))
    await expect(verifyManifest({ ...signed, payload: altered }, opts)).rejects.toThrow(BundleSignatureError)
  })

  it('accepts the root key only under the root role', async () => {
    const asPublisher = await signManifest(manifest, root, 'publisher')
    await expect(verifyManifest(asPublisher, opts)).rejects.toThrow(/no root signature/)
  })

  it('requires the publisher signature when a publisher key is given', async () => {
    const publisher = await generateSigningKey()
    await expect(verifyManifest(signed, { ...opts, publisherKey: publisher.publicJwk })).rejects.toThrow(BundleSignatureError)
  })

  it('refuses an expired bundle, naming it', async () => {
    const later = new Date(NOW.getTime() + 3601_000)
    const err = await verifyManifest(signed, { ...opts, now: later }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BundleExpiredError)
    expect(err).toBeInstanceOf(BundleError)
    expect((err as Error).name).toBe('BundleExpiredError')
    expect((err as Error).message).toContain('"overworld" bundle expired')
  })

  it.each([
    ['not JSON', '{"payload":'],
    ['not an object', 42],
    ['null', null],
    ['no signatures', { payload: signed.payload, signatures: [] }],
    ['an extra key', { ...signed, header: {} }],
    ['a non-base64url payload', { ...signed, payload: '***' }],
  ])('refuses a malformed JWS: %s', async (_what, input) => {
    await expect(verifyManifest(input, opts)).rejects.toThrow(BundleFormatError)
  })

  it('refuses a signed payload that is not JSON', async () => {
    const jws = await new GeneralSign(enc('not json'))
      .addSignature(await importJWK(root.privateJwk, 'EdDSA'))
      .setProtectedHeader({ alg: 'EdDSA', kid: root.thumbprint, role: 'root' })
      .sign()
    const input = { payload: jws.payload, signatures: [{ protected: jws.signatures[0]!.protected!, signature: jws.signatures[0]!.signature }] }
    await expect(verifyManifest(input, opts)).rejects.toThrow(/payload is not base64url JSON/)
  })

  it.each([
    ['an unknown key', { ...manifest, extra: 1 }],
    ['a bad id', { ...manifest, id: 'UPPER' }],
    ['a bad version', { ...manifest, version: 'one' }],
    ['an unlisted entry', { ...manifest, entry: 'main.js' }],
    ['a negative size', { ...manifest, files: [{ ...manifest.files[0]!, size: -1 }] }],
  ])('refuses a signed manifest with %s', async (_what, payload) => {
    await expect(verifyManifest(await signRaw(payload), opts)).rejects.toThrow(BundleFormatError)
  })

  it.each(['../x', '/etc/passwd', 'a\\b'])('refuses a signed manifest listing the path %j', async (path) => {
    const payload = { ...manifest, files: [...manifest.files, { path, size: 1, sha256: '0'.repeat(64) }] }
    await expect(verifyManifest(await signRaw(payload), opts)).rejects.toThrow(BundlePathError)
  })

  it('refuses duplicate paths', async () => {
    const payload = { ...manifest, files: [...manifest.files, manifest.files[0]!] }
    await expect(verifyManifest(await signRaw(payload), opts)).rejects.toThrow(BundlePathError)
  })

  it('refuses a manifest larger than maxBytes before parsing it', async () => {
    const text = JSON.stringify(signed)
    await expect(verifyManifest(text, { ...opts, maxBytes: text.length - 1 })).rejects.toThrow(BundleSizeError)
    await expect(verifyManifest(signed, { ...opts, maxBytes: 100 })).rejects.toThrow(BundleSizeError)
    const huge = `${' '.repeat(1024 * 1024)}{}`
    await expect(verifyManifest(huge, opts)).rejects.toThrow(BundleSizeError)
    expect(await verifyManifest(text, { ...opts, maxBytes: text.length })).toEqual(manifest)
  })

  it('checks the root and the publisher signature together, naming the root first when both fail', async () => {
    const publisher = await generateSigningKey()
    const mallory = await generateSigningKey()
    const garden = await overworldManifest(publisher, { id: 'garden', parent: 'overworld' })
    const both = await countersign(await signManifest(garden, publisher, 'publisher'), root, 'root')
    const withBoth = { ...opts, publisherKey: publisher.publicJwk }
    expect(await verifyManifest(both, withBoth)).toEqual(garden)
    const [pub, countersignature] = both.signatures as [SignedManifest['signatures'][0], SignedManifest['signatures'][0]]
    const badPublisher = { ...both, signatures: [{ ...pub, signature: flipChar(pub.signature, 10) }, countersignature] }
    await expect(verifyManifest(badPublisher, withBoth)).rejects.toThrow(/publisher signature does not verify/)
    const badBoth = {
      ...both,
      signatures: [pub, countersignature].map((s) => ({ ...s, signature: flipChar(s.signature, 10) })),
    }
    await expect(verifyManifest(badBoth, withBoth)).rejects.toThrow(/root signature does not verify/)
    await expect(verifyManifest(both, { ...withBoth, rootKey: mallory.publicJwk, publisherKey: mallory.publicJwk })).rejects.toThrow(
      /no root signature/,
    )
  })

  it('reports a bad signature before a malformed payload', async () => {
    const bad = await signRaw({ ...manifest, version: 'one' })
    const sig = bad.signatures[0]!
    await expect(verifyManifest(bad, opts)).rejects.toThrow(BundleFormatError)
    await expect(verifyManifest({ ...bad, signatures: [{ ...sig, signature: flipChar(sig.signature, 10) }] }, opts)).rejects.toThrow(
      BundleSignatureError,
    )
  })

  it('refuses a root key that is not an Ed25519 public JWK', async () => {
    await expect(verifyManifest(signed, { ...opts, rootKey: { kty: 'RSA', n: 'x', e: 'AQAB' } })).rejects.toThrow(BundleFormatError)
  })
})

describe('verifyPublisherJws', () => {
  it('measures a checked JWS as JSON.stringify would, without building the string', async () => {
    const publisher = await generateSigningKey()
    const one = await signManifest(await overworldManifest(publisher), publisher, 'publisher')
    const two = await countersign(one, root, 'root')
    for (const jws of [one, two]) expect(signedManifestJsonBytes(jws)).toBe(JSON.stringify(jws).length)
  })

  it('verifies a publisher-signed JWS and refuses one over maxBytes', async () => {
    const publisher = await generateSigningKey()
    const own = await overworldManifest(publisher)
    const jws = await signManifest(own, publisher, 'publisher')
    const size = JSON.stringify(jws).length
    const base = { publisherKey: publisher.publicJwk, now: NOW }
    expect(await verifyPublisherJws(jws, { ...base, maxBytes: size })).toEqual(own)
    await expect(verifyPublisherJws(jws, { ...base, maxBytes: size - 1 })).rejects.toThrow(BundleSizeError)
    await expect(verifyPublisherJws(jws, { ...base, publisherKey: root.publicJwk })).rejects.toThrow(BundleSignatureError)
  })
})
