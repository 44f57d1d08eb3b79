import { MANIFEST_SCHEMA } from './manifestSchema.js'
import type { BundleManifest } from './manifestSchema.js'
import { parseManifest } from './parseManifest.js'
import { sha256 } from './sha256.js'

/** What {@link buildManifest} needs: the bundle's identity and every file's bytes. */
export interface BuildManifestInit {
  id: string
  name: string
  version: string
  parent: string | null
  entry: string
  rules: Record<string, unknown>
  /** Thumbprint of the publisher's key; '' for a build output that its publisher (or root) completes before signing. */
  publisher: string
  files: { path: string; bytes: Uint8Array }[]
  /** How long the signed manifest stays valid. @default 2_592_000 (30 days) */
  ttlSeconds?: number
  /** @default new Date() */
  now?: Date
}

/** Default lifetime of a manifest: 30 days. */
export const DEFAULT_MANIFEST_TTL_SECONDS = 30 * 24 * 60 * 60

/**
 * Hashes every file and returns the manifest, checked against the manifest schema
 * (files sorted by path). Throws {@link BundlePathError} or {@link BundleFormatError}.
 */
export async function buildManifest(init: BuildManifestInit): Promise<BundleManifest> {
  const now = init.now ?? new Date()
  const ttl = init.ttlSeconds ?? DEFAULT_MANIFEST_TTL_SECONDS
  const hashes = await sha256.hex(init.files.map((f) => f.bytes))
  const files = init.files.map((f, i) => ({ path: f.path, size: f.bytes.byteLength, sha256: hashes[i] as string }))
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  if (!Number.isFinite(ttl) || ttl <= 0) {
    throw new RangeError(`ttlSeconds must be a positive number of seconds, got ${ttl}`)
  }
  const manifest: BundleManifest = {
    schema: MANIFEST_SCHEMA,
    id: init.id,
    name: init.name,
    version: init.version,
    publisher: init.publisher,
    parent: init.parent,
    entry: init.entry,
    rules: init.rules,
    files,
    created: now.toISOString(),
    expires: new Date(now.getTime() + ttl * 1000).toISOString(),
  }
  return parseManifest(manifest, {
    signed: false,
    advice: 'Fix the bundle sources (world id, version, file names) and build again.',
  })
}
