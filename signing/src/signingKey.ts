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
  return calculateJwkThumbprint(publicMembers(publicJwk, 'public key'), 'sha256')
}

/** Imports an Ed25519 public JWK for verification; `what` names the key in error messages. */
export async function importPublicKey(publicJwk: unknown, what: string): Promise<CryptoKey> {
  const key = await importJWK(publicMembers(publicJwk, what), 'EdDSA')
  return key as CryptoKey
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
