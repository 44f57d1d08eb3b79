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

type Ed25519PublicMembers = { kty: 'OKP'; crv: 'Ed25519'; x: string }

/** The required members of an Ed25519 public JWK, or a {@link BundleFormatError} naming `what`. */
function publicMembers(jwk: unknown, what: string): Ed25519PublicMembers {
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
  return thumbprintOf(publicMembers(publicJwk, 'public key'))
}

/**
 * The thumbprint and the imported key of an Ed25519 public JWK, from one check of its members
 * (what a signature check needs); `what` names the key in error messages. Both are cached.
 */
export async function verificationKey(publicJwk: unknown, what: string): Promise<[thumbprint: string, key: CryptoKey]> {
  const members = publicMembers(publicJwk, what)
  return Promise.all([thumbprintOf(members), importOf(members)])
}

function thumbprintOf(members: Ed25519PublicMembers): Promise<string> {
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
 * Imports an Ed25519 public key for verification. Keys are kept (the last 64): each import is a
 * round trip to WebCrypto's thread that verifying the next bundle by the same key need not pay
 * again. A CryptoKey is immutable, so sharing it is safe.
 */
function importOf(members: Ed25519PublicMembers): Promise<CryptoKey> {
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
