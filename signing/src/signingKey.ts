import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose'
import type { CryptoKey, JWK } from 'jose'
import { z } from 'zod'
import { BundleFormatError } from './errors.js'

export type { JWK }

/** An Ed25519 key pair as JWKs, with the public key's RFC 7638 thumbprint (also its `kid`). */
export interface SigningKey {
  privateJwk: JWK
  publicJwk: JWK
  thumbprint: string
}

const ed25519PublicSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
})

const ed25519PrivateSchema = ed25519PublicSchema.extend({ d: z.string().regex(/^[A-Za-z0-9_-]{43}$/) })

/** The required members of an Ed25519 public JWK, or a {@link BundleFormatError} naming `what`. */
function publicMembers(jwk: unknown, what: string): { kty: 'OKP'; crv: 'Ed25519'; x: string } {
  const parsed = ed25519PublicSchema.safeParse(jwk)
  if (!parsed.success) {
    throw new BundleFormatError(
      `The ${what} is not an Ed25519 public JWK ({ kty: 'OKP', crv: 'Ed25519', x }). ` +
        'Check the key file or the root\'s /.well-known/peercompute.json.',
    )
  }
  const { kty, crv, x } = parsed.data
  return { kty, crv, x }
}

/** Makes a new extractable Ed25519 key pair for signing manifests. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  const pub = await exportJWK(publicKey)
  const thumbprint = await jwkThumbprint(pub)
  const meta = { kid: thumbprint, alg: 'EdDSA', use: 'sig' }
  return {
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwk: { ...publicMembers(pub, 'new public key'), ...meta },
    thumbprint,
  }
}

/** RFC 7638 SHA-256 thumbprint (base64url) of an Ed25519 public JWK. Extra members are ignored. */
export async function jwkThumbprint(publicJwk: JWK): Promise<string> {
  const members = publicMembers(publicJwk, 'public key')
  let thumbprint = thumbprints.get(members.x)
  if (thumbprint === undefined) {
    thumbprint = calculateJwkThumbprint(members, 'sha256')
    thumbprints.set(members.x, thumbprint)
    thumbprint.catch(() => thumbprints.delete(members.x))
    if (thumbprints.size > IMPORTED_KEYS) thumbprints.delete(thumbprints.keys().next().value as string)
  }
  return thumbprint
}

/** Thumbprints of the keys seen lately, by `x` (a thumbprint is a SHA-256 round trip to WebCrypto). */
const thumbprints = new Map<string, Promise<string>>()

/** Public keys imported lately, by `x`: the root's key and a few publishers' verify bundle after bundle. */
const imported = new Map<string, Promise<CryptoKey>>()
const IMPORTED_KEYS = 64

/**
 * Imports an Ed25519 public JWK for verification; `what` names the key in error messages. Keys are
 * kept (the last 64): each import is a round trip to WebCrypto's thread that verifying the next
 * bundle by the same key need not pay again. A CryptoKey is immutable, so sharing it is safe.
 */
export async function importPublicKey(publicJwk: unknown, what: string): Promise<CryptoKey> {
  const members = publicMembers(publicJwk, what)
  let key = imported.get(members.x)
  if (key === undefined) {
    key = importJWK(members, 'EdDSA') as Promise<CryptoKey>
    imported.set(members.x, key)
    key.catch(() => imported.delete(members.x))
    if (imported.size > IMPORTED_KEYS) imported.delete(imported.keys().next().value as string)
  }
  return key
}

/** Imports a {@link SigningKey}'s private half for signing. */
export async function importPrivateKey(key: SigningKey): Promise<CryptoKey> {
  const parsed = ed25519PrivateSchema.safeParse(key.privateJwk)
  if (!parsed.success) {
    throw new BundleFormatError(
      "The signing key is not an Ed25519 private JWK ({ kty: 'OKP', crv: 'Ed25519', x, d }). " +
        'Make a new one with `peercompute keygen`.',
    )
  }
  const { kty, crv, x, d } = parsed.data
  return (await importJWK({ kty, crv, x, d }, 'EdDSA')) as CryptoKey
}
