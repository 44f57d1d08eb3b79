import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { BundleFormatError, countersign, generateSigningKey, jwkThumbprint, signManifest, verifyManifest } from '../src/index.js'
import { NOW, overworldManifest } from './fixtures.js'

describe('signManifest and countersign', () => {
  it('makes Ed25519 keys whose kid is their RFC 7638 thumbprint', async () => {
    const key = await generateSigningKey()
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.thumbprint })
    expect(key.publicJwk).not.toHaveProperty('d')
    expect(key.privateJwk).toHaveProperty('d')
    expect(await jwkThumbprint(key.publicJwk)).toBe(key.thumbprint)
    expect(key.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('signs a General JWS with the documented protected header', async () => {
    const key = await generateSigningKey()
    const signed = await signManifest(await overworldManifest(key), key, 'publisher')
    expect(signed.signatures).toHaveLength(1)
    expect(decodeProtectedHeader(signed.signatures[0]!)).toEqual({ alg: 'EdDSA', kid: key.thumbprint, role: 'publisher' })
  })

  it('refuses to sign a manifest without a publisher', async () => {
    const key = await generateSigningKey()
    await expect(signManifest(await overworldManifest(key, { publisher: '' }), key, 'root')).rejects.toThrow(BundleFormatError)
  })

  it('countersigns: a publisher-signed bundle accepted by a root verifies against both keys', async () => {
    const publisher = await generateSigningKey()
    const root = await generateSigningKey()
    const manifest = await overworldManifest(publisher, { id: 'garden', parent: 'overworld' })
    const signed = await signManifest(manifest, publisher, 'publisher')
    const both = await countersign(signed, root, 'root')
    expect(both.payload).toBe(signed.payload)
    expect(both.signatures).toHaveLength(2)
    const opts = { rootKey: root.publicJwk, publisherKey: publisher.publicJwk, now: NOW }
    expect(await verifyManifest(both, opts)).toEqual(manifest)
  })
})
