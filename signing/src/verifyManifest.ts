import { base64url, generalVerify } from 'jose'
import type { JWK } from 'jose'
import { BundleExpiredError, BundleFormatError, BundleSignatureError, BundleSizeError } from './errors.js'
import { signatureHeaderSchema, signedManifestSchema } from './manifestSchema.js'
import type { BundleManifest, SignatureRole, SignedManifest } from './manifestSchema.js'
import { parseManifest } from './parseManifest.js'
import { verificationKey } from './signingKey.js'

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

/** Options of {@link verifyPublisherManifest}. */
export interface VerifyPublisherManifestOptions {
  /** The publisher's public key (carried in the bundle file); a 'publisher' signature by it is required. */
  publisherKey: JWK
  /** @default new Date() */
  now?: Date
  /** Largest signed manifest accepted, in bytes of JSON. @default 1_048_576 */
  maxBytes?: number
  /** Ends every error message: what the reader should do. @default 'Sign the bundle again with `peercompute sign`.' */
  advice?: string
}

/**
 * Checks a signed manifest as it arrived (a JSON string or the parsed object) and returns the
 * manifest: size, General JWS shape, the root's signature (role 'root', kid = thumbprint of
 * `rootKey`), the publisher's when `publisherKey` is given, the manifest schema, and expiry.
 * Throws a {@link BundleError} subclass whose message says what to do.
 */
export async function verifyManifest(signed: unknown, opts: VerifyManifestOptions): Promise<BundleManifest> {
  const required: Required[] = [{ key: opts.rootKey, role: 'root' }]
  if (opts.publisherKey !== undefined) required.push({ key: opts.publisherKey, role: 'publisher' })
  return verifySigned(signed, required, opts, {
    tail: `Nothing from it was run. ${RELOAD}`,
    altered: 'the root or a proxy served an altered manifest',
    rebuild: 'Its publisher must rebuild and re-sign it.',
    expired: "Nothing from it was run. Reload to fetch a fresh one; if it persists, the root's operator must restart or re-sign it.",
  })
}

/**
 * Checks a manifest signed by its publisher alone, before any root has countersigned it (what
 * `peercompute verify` and a root's registry do): size, shape, a 'publisher' signature by
 * `publisherKey`, `manifest.publisher` = that key's thumbprint, the schema and expiry.
 */
export async function verifyPublisherManifest(
  signed: unknown,
  opts: VerifyPublisherManifestOptions,
): Promise<BundleManifest> {
  const advice = opts.advice ?? 'Sign the bundle again with `peercompute sign`.'
  return verifySigned(signed, [{ key: opts.publisherKey, role: 'publisher' }], opts, publisherWording(advice))
}

function publisherWording(advice: string): Wording {
  return {
    tail: advice,
    altered: 'the manifest was changed after it was signed, or the signature was made by another key',
    rebuild: advice,
    expired: 'Sign it again (`peercompute sign`) to give it a new expiry.',
  }
}

interface Required {
  key: JWK
  role: SignatureRole
}

/** How error messages end, by who verifies. */
interface Wording {
  tail: string
  altered: string
  rebuild: string
  expired: string
}

async function verifySigned(
  signed: unknown,
  required: Required[],
  opts: { now?: Date; maxBytes?: number },
  words: Wording,
): Promise<BundleManifest> {
  return verifyJws(parseSignedManifest(signed, opts.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES, words.tail), required, opts, words)
}

/**
 * {@link verifyPublisherManifest} for a JWS whose shape `signedManifestSchema` has already checked
 * (a bundle file's header holds it, parsed by `bundleFileHeaderSchema`): the same checks, without
 * serializing and parsing it again to learn its size. Not for unchecked input.
 */
export async function verifyPublisherJws(jws: SignedManifest, opts: VerifyPublisherManifestOptions): Promise<BundleManifest> {
  const advice = opts.advice ?? 'Sign the bundle again with `peercompute sign`.'
  const words = publisherWording(advice)
  checkSize(signedManifestJsonBytes(jws), opts.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES, words.tail)
  return verifyJws(jws, [{ key: opts.publisherKey, role: 'publisher' }], opts, words)
}

async function verifyJws(
  jws: SignedManifest,
  required: Required[],
  opts: { now?: Date },
  words: Wording,
): Promise<BundleManifest> {
  const headers = jws.signatures.map((s) => decodeHeader(s.protected, words.tail))
  // The root's and the publisher's signatures are checked at the same time (in Node, on WebCrypto's
  // thread pool), and the payload (the very string they sign) is parsed meanwhile; nothing of it is
  // used, and no parse error is reported, unless every signature holds. When several checks fail,
  // the error is the first in `required` order, as a check one after the other would give.
  const checking = Promise.allSettled(required.map((r) => requireSignature(jws, headers, r, words)))
  const parsed = parsePayload(jws.payload, words)
  const thumbprints = new Map<SignatureRole, string>()
  for (const [i, check] of (await checking).entries()) {
    if (check.status === 'rejected') throw check.reason
    thumbprints.set((required[i] as Required).role, check.value)
  }
  if (parsed instanceof Error) throw parsed
  const manifest = parsed
  const publisher = thumbprints.get('publisher')
  if (publisher !== undefined && manifest.publisher !== publisher) {
    throw new BundleSignatureError(
      `The "${manifest.id}" bundle names publisher ${manifest.publisher}, not the expected key ${publisher}. ${words.tail}`,
    )
  }
  const now = opts.now ?? new Date()
  if (now.getTime() > Date.parse(manifest.expires)) {
    throw new BundleExpiredError(`The "${manifest.id}" bundle expired at ${manifest.expires}. ${words.expired}`)
  }
  return manifest
}

/** The manifest in a JWS payload, or the error that refuses it (thrown once the signatures hold). */
function parsePayload(payload: string, words: Wording): BundleManifest | Error {
  try {
    return parseManifest(decodeJson(payload, 'payload', words.tail), { signed: true, advice: words.rebuild })
  } catch (err) {
    return err instanceof Error ? err : new BundleFormatError(`The signed bundle manifest is unreadable. ${words.rebuild}`)
  }
}

/**
 * Bytes of `JSON.stringify(jws)` for a JWS of the checked shape, computed without building the
 * string: every member is a base64url string, which JSON writes as is between two quotes.
 */
export function signedManifestJsonBytes(jws: SignedManifest): number {
  // {"payload":"…","signatures":[…]}
  let bytes = '{"payload":"","signatures":[]}'.length + jws.payload.length
  for (const s of jws.signatures) {
    // {"protected":"…","signature":"…"}
    bytes += '{"protected":"","signature":""}'.length + s.protected.length + s.signature.length
  }
  return bytes + Math.max(0, jws.signatures.length - 1) // the commas between signatures
}

function checkSize(bytes: number, maxBytes: number, tail: string): void {
  if (bytes > maxBytes) {
    throw new BundleSizeError(`The signed bundle manifest is ${bytes} bytes, more than the ${maxBytes} allowed. ${tail}`)
  }
}

function parseSignedManifest(signed: unknown, maxBytes: number, tail: string): SignedManifest {
  let value = signed
  const text = typeof signed === 'string' ? signed : safeStringify(signed, tail)
  checkSize(utf8.encode(text).byteLength, maxBytes, tail)
  if (typeof signed === 'string') {
    try {
      value = JSON.parse(signed)
    } catch {
      throw new BundleFormatError(`The signed bundle manifest is not valid JSON. ${tail}`)
    }
  }
  const shape = signedManifestSchema.safeParse(value)
  if (!shape.success) {
    throw new BundleFormatError(
      `The signed bundle manifest is not a General JWS ({ payload, signatures: [{ protected, signature }] }). ${tail}`,
    )
  }
  return shape.data
}

function safeStringify(value: unknown, tail: string): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    throw new BundleFormatError(`The signed bundle manifest cannot be read as JSON. ${tail}`)
  }
}

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function decodeJson(b64: string, what: string, tail: string): unknown {
  try {
    return JSON.parse(strictUtf8.decode(base64url.decode(b64)))
  } catch {
    throw new BundleFormatError(`The signed bundle manifest's ${what} is not base64url JSON. ${tail}`)
  }
}

function decodeHeader(b64: string, tail: string): { kid: string; role: SignatureRole } | null {
  const parsed = signatureHeaderSchema.safeParse(decodeJson(b64, 'signature header', tail))
  return parsed.success ? parsed.data : null
}

/** Verifies the signatures made with `role` by `key`; returns the key's thumbprint. */
async function requireSignature(
  jws: SignedManifest,
  headers: ({ kid: string; role: SignatureRole } | null)[],
  { key: jwk, role }: Required,
  words: Wording,
): Promise<string> {
  const who = role === 'root' ? 'root' : 'publisher'
  const [thumbprint, key] = await verificationKey(jwk, `${who} key`)
  const matching = jws.signatures.filter((_, i) => headers[i]?.kid === thumbprint && headers[i]?.role === role)
  if (matching.length === 0) {
    throw new BundleSignatureError(
      `The bundle manifest carries no ${who} signature by the expected ${who} key (${thumbprint}). ${words.tail}`,
    )
  }
  try {
    await generalVerify({ payload: jws.payload, signatures: matching }, key, { algorithms: ['EdDSA'] })
  } catch {
    throw new BundleSignatureError(`The bundle manifest's ${who} signature does not verify: ${words.altered}. ${words.tail}`)
  }
  return thumbprint
}
