import { base64url, generalVerify } from 'jose'
import type { JWK } from 'jose'
import { BundleExpiredError, BundleFormatError, BundleSignatureError, BundleSizeError } from './errors.js'
import { signatureHeaderSchema, signedManifestSchema } from './manifestSchema.js'
import type { BundleManifest, SignatureRole, SignedManifest } from './manifestSchema.js'
import { parseManifest } from './parseManifest.js'
import { importPublicKey, jwkThumbprint } from './signingKey.js'

/** Options of {@link verifyManifest}. */
export interface VerifyManifestOptions {
  /** The root's public key (from its /.well-known/peercompute.json). A 'root' signature by it is required. */
  rootKey: JWK
  /** When given, a 'publisher' signature by this key is required, and `manifest.publisher` must be its thumbprint. */
  publisherKey?: JWK
  /** @default new Date() */
  now?: Date
  /** Largest signed manifest accepted, in bytes of JSON. @default 1_048_576 */
  maxBytes?: number
}

/** Default for {@link VerifyManifestOptions.maxBytes}: 1 MiB. */
export const DEFAULT_MAX_MANIFEST_BYTES = 1024 * 1024

const RELOAD = "Reload; if it persists, tell the root's operator."

/**
 * Checks a signed manifest as it arrived (a JSON string or the parsed object) and returns the
 * manifest: size, General JWS shape, the root's signature (role 'root', kid = thumbprint of
 * `rootKey`), the publisher's when `publisherKey` is given, the manifest schema, and expiry.
 * Throws a {@link BundleError} subclass whose message says what to do.
 */
export async function verifyManifest(signed: unknown, opts: VerifyManifestOptions): Promise<BundleManifest> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES
  const jws = parseSignedManifest(signed, maxBytes)
  const headers = jws.signatures.map((s) => decodeHeader(s.protected))

  await requireSignature(jws, headers, opts.rootKey, 'root')
  const manifest = parseManifest(decodePayload(jws.payload), {
    signed: true,
    advice: 'Its publisher must rebuild and re-sign it.',
  })
  if (opts.publisherKey !== undefined) {
    const thumbprint = await requireSignature(jws, headers, opts.publisherKey, 'publisher')
    if (manifest.publisher !== thumbprint) {
      throw new BundleSignatureError(
        `The "${manifest.id}" bundle names publisher ${manifest.publisher}, not the expected key ${thumbprint}. ` +
          `Nothing from it was run. ${RELOAD}`,
      )
    }
  }
  const now = opts.now ?? new Date()
  if (now.getTime() > Date.parse(manifest.expires)) {
    throw new BundleExpiredError(
      `The "${manifest.id}" bundle expired at ${manifest.expires}. Nothing from it was run. ` +
        "Reload to fetch a fresh one; if it persists, the root's operator must restart or re-sign it.",
    )
  }
  return manifest
}

function parseSignedManifest(signed: unknown, maxBytes: number): SignedManifest {
  let value = signed
  const text = typeof signed === 'string' ? signed : safeStringify(signed)
  const bytes = new TextEncoder().encode(text).byteLength
  if (bytes > maxBytes) {
    throw new BundleSizeError(
      `The signed bundle manifest is ${bytes} bytes, more than the ${maxBytes} allowed. Nothing from it was run. ${RELOAD}`,
    )
  }
  if (typeof signed === 'string') {
    try {
      value = JSON.parse(signed)
    } catch {
      throw new BundleFormatError(`The signed bundle manifest is not valid JSON. Nothing from it was run. ${RELOAD}`)
    }
  }
  const shape = signedManifestSchema.safeParse(value)
  if (!shape.success) {
    throw new BundleFormatError(
      'The signed bundle manifest is not a General JWS ({ payload, signatures: [{ protected, signature }] }). ' +
        `Nothing from it was run. ${RELOAD}`,
    )
  }
  return shape.data
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    throw new BundleFormatError(`The signed bundle manifest cannot be read as JSON. Nothing from it was run. ${RELOAD}`)
  }
}

function decodeJson(b64: string, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(b64)))
  } catch {
    throw new BundleFormatError(`The signed bundle manifest's ${what} is not base64url JSON. Nothing from it was run. ${RELOAD}`)
  }
}

function decodeHeader(b64: string): { kid: string; role: SignatureRole } | null {
  const parsed = signatureHeaderSchema.safeParse(decodeJson(b64, 'signature header'))
  return parsed.success ? parsed.data : null
}

function decodePayload(b64: string): unknown {
  return decodeJson(b64, 'payload')
}

/** Verifies the signatures made with `role` by `key`; returns the key's thumbprint. */
async function requireSignature(
  jws: SignedManifest,
  headers: ({ kid: string; role: SignatureRole } | null)[],
  jwk: JWK,
  role: SignatureRole,
): Promise<string> {
  const who = role === 'root' ? 'root' : 'publisher'
  const thumbprint = await jwkThumbprint(jwk)
  const key = await importPublicKey(jwk, `${who} key`)
  const matching = jws.signatures.filter((_, i) => headers[i]?.kid === thumbprint && headers[i]?.role === role)
  if (matching.length === 0) {
    throw new BundleSignatureError(
      `The bundle manifest carries no ${who} signature by the expected ${who} key (${thumbprint}). ` +
        `Nothing from it was run. ${RELOAD}`,
    )
  }
  try {
    await generalVerify({ payload: jws.payload, signatures: matching }, key, { algorithms: ['EdDSA'] })
  } catch {
    throw new BundleSignatureError(
      `The bundle manifest's ${who} signature does not verify: the root or a proxy served an altered manifest. ` +
        `Nothing from it was run. ${RELOAD}`,
    )
  }
  return thumbprint
}
