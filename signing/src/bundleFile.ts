import type { JWK } from 'jose'
import { z } from 'zod'
import { bundlePathProblem } from './bundlePath.js'
import { BundleFormatError, BundlePathError, BundleSizeError } from './errors.js'
import { signedManifestSchema } from './manifestSchema.js'
import type { SignedManifest } from './manifestSchema.js'

/**
 * A bundle file (`.pcb`), one file holding a world's manifest, its signature and every file:
 *
 * ```
 * bytes 0..3    "PCB1"
 * bytes 4..7    H: length of the header, uint32 big-endian (at most 2 MiB)
 * bytes 8..8+H  the header, UTF-8 JSON ({@link BundleFileHeader})
 * then          the bytes of each entry of header.entries, back to back, in that order
 * ```
 * Nothing may follow the last entry. The header holds either `manifest` (a build output, not yet
 * signed) or `signed` + `publisherKey` (signed by its publisher); the manifest's JSON schema is
 * published as signing/schema/bundle-manifest.schema.json, the header's as bundle-file-header.schema.json.
 */
export const BUNDLE_FILE_FORMAT = 'peercompute/pcb@1'

/** The four bytes every bundle file starts with. */
export const BUNDLE_FILE_MAGIC = new Uint8Array([0x50, 0x43, 0x42, 0x31]) // "PCB1"

const PREFIX_BYTES = 8
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const MAX_HEADER_BYTES = 2 * 1024 * 1024

/** Size limits of a bundle file. */
export interface BundleLimits {
  /** Largest bundle file, in bytes. @default 52_428_800 (50 MiB) */
  maxBundleBytes: number
  /** Largest single file inside it, in bytes. @default 20_971_520 (20 MiB) */
  maxFileBytes: number
}

/** Default {@link BundleLimits}: 50 MiB a bundle, 20 MiB a file. */
export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = Object.freeze({
  maxBundleBytes: 50 * 1024 * 1024,
  maxFileBytes: 20 * 1024 * 1024,
})

/** An Ed25519 public JWK as a bundle file carries it (the publisher's). */
export const publicJwkSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  kid: z.string().max(64).optional(),
  alg: z.literal('EdDSA').optional(),
  use: z.literal('sig').optional(),
})

/** Header of a bundle file. `manifest` is checked separately (parseManifest) for clearer errors. */
export const bundleFileHeaderSchema = z
  .strictObject({
    format: z.literal(BUNDLE_FILE_FORMAT),
    manifest: z.unknown().optional(),
    signed: signedManifestSchema.optional(),
    publisherKey: publicJwkSchema.optional(),
    entries: z.array(z.strictObject({ path: z.string(), size: z.number().int().nonnegative() })).max(10_000),
  })
  .refine((h) => (h.manifest === undefined) !== (h.signed === undefined), 'needs exactly one of manifest or signed')
  .refine((h) => h.signed === undefined || h.publisherKey !== undefined, 'a signed bundle needs its publisherKey')

/** The header of a bundle file. */
export interface BundleFileHeader {
  format: typeof BUNDLE_FILE_FORMAT
  /** The unsigned manifest of a build output. */
  manifest?: unknown
  /** The publisher-signed manifest (replaces `manifest` once signed). */
  signed?: SignedManifest
  /** The publisher's public key, which made the signature in `signed`. */
  publisherKey?: JWK
  /** Every file in the bundle, in the order of their bytes. */
  entries: { path: string; size: number }[]
}

/** A decoded bundle file: its header and each file's bytes (views into the input, not copies). */
export interface DecodedBundleFile {
  header: BundleFileHeader
  files: Map<string, Uint8Array>
}

/** Writes a bundle file: the header (entries filled in from `files`) and the files' bytes. */
export function encodeBundleFile(
  header: Omit<BundleFileHeader, 'format' | 'entries'>,
  files: { path: string; bytes: Uint8Array }[],
): Uint8Array {
  const full: BundleFileHeader = {
    format: BUNDLE_FILE_FORMAT,
    ...header,
    entries: files.map((f) => ({ path: f.path, size: f.bytes.byteLength })),
  }
  const json = new TextEncoder().encode(JSON.stringify(full))
  const total = PREFIX_BYTES + json.byteLength + files.reduce((n, f) => n + f.bytes.byteLength, 0)
  const out = new Uint8Array(total)
  out.set(BUNDLE_FILE_MAGIC, 0)
  new DataView(out.buffer).setUint32(4, json.byteLength, false)
  out.set(json, PREFIX_BYTES)
  let offset = PREFIX_BYTES + json.byteLength
  for (const f of files) {
    out.set(f.bytes, offset)
    offset += f.bytes.byteLength
  }
  return out
}

/**
 * Reads a bundle file, checking its layout, the size limits and every entry path; it does not
 * check signatures or hashes (verifyBundle does). Throws {@link BundleFormatError},
 * {@link BundleSizeError} or {@link BundlePathError}; `advice` ends each message.
 */
export function decodeBundleFile(
  bytes: Uint8Array,
  opts: { limits?: Partial<BundleLimits>; advice?: string } = {},
): DecodedBundleFile {
  const limits = { ...DEFAULT_BUNDLE_LIMITS, ...opts.limits }
  const advice = opts.advice ?? 'Build it again with `peercompute build`.'
  if (bytes.byteLength > limits.maxBundleBytes) {
    throw new BundleSizeError(
      `The bundle is ${formatBytes(bytes.byteLength)}, more than the ${formatBytes(limits.maxBundleBytes)} allowed. Make it smaller (fewer or smaller files).`,
    )
  }
  const notBundle = `This is not a PeerCompute bundle file (.pcb). ${advice}`
  if (bytes.byteLength < PREFIX_BYTES || !BUNDLE_FILE_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new BundleFormatError(notBundle)
  }
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false)
  if (headerBytes > MAX_HEADER_BYTES || PREFIX_BYTES + headerBytes > bytes.byteLength) {
    throw new BundleFormatError(`The bundle file's header is truncated or too large. ${advice}`)
  }
  let json: unknown
  try {
    const text = strictUtf8.decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes))
    json = JSON.parse(text)
  } catch {
    throw new BundleFormatError(`The bundle file's header is not valid JSON. ${advice}`)
  }
  const parsed = bundleFileHeaderSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `
    throw new BundleFormatError(`The bundle file's header is malformed (${where}${issue?.message ?? 'unknown problem'}). ${advice}`)
  }
  const header = parsed.data as BundleFileHeader
  const files = new Map<string, Uint8Array>()
  let offset = PREFIX_BYTES + headerBytes
  for (const { path, size } of header.entries) {
    const problem = bundlePathProblem(path)
    if (problem !== null) throw new BundlePathError(`The bundle holds a file whose path "${path}" ${problem}. ${advice}`)
    if (files.has(path)) throw new BundlePathError(`The bundle holds the file ${path} twice. ${advice}`)
    if (size > limits.maxFileBytes) {
      throw new BundleSizeError(
        `The bundle's file ${path} is ${formatBytes(size)}, more than the ${formatBytes(limits.maxFileBytes)} allowed for one file. Make it smaller or split it.`,
      )
    }
    if (offset + size > bytes.byteLength) throw new BundleFormatError(`The bundle file is truncated (in ${path}). ${advice}`)
    files.set(path, bytes.subarray(offset, offset + size))
    offset += size
  }
  if (offset !== bytes.byteLength) {
    throw new BundleFormatError(`The bundle file has ${bytes.byteLength - offset} bytes after its last file. ${advice}`)
  }
  return { header, files }
}

/** A byte count for people: "812 bytes", "3.4 KiB", "50.0 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`
}
