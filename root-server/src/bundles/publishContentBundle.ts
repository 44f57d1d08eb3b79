import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildManifest, parseManifest, signManifest, verifyManifest } from '@peercompute/signing'
import type { BundleManifest, SigningKey } from '@peercompute/signing'
import type { BundleStore } from './bundleStore.js'

/** What {@link publishContentBundle} did. */
export interface PublishResult {
  id: string
  version: string
  /** False when the stored signature was still good and nothing was written. */
  signed: boolean
  /** The manifest as built from the files (publisher = the root). */
  manifest: BundleManifest
}

/** Re-sign a stored manifest when it would expire within this many seconds. @default 7 days */
export const RESIGN_MARGIN_SECONDS = 7 * 24 * 3600

/** Error raised when a bundle build output cannot be read; the message says how to rebuild it. */
export class ContentBundleError extends Error {
  override name = 'ContentBundleError'
}

/**
 * Signs a bundle build output (`<bundleDir>/manifest.unsigned.json` + its files) as its publisher
 * with role 'root' and stores the blobs and the signed manifest. The root is the publisher of the
 * bundles it ships (the overworld). Nothing is re-signed while the stored signature for the same
 * version and files is valid for more than {@link RESIGN_MARGIN_SECONDS}.
 */
export async function publishContentBundle(
  bundleDir: string,
  key: SigningKey,
  store: BundleStore,
  now = new Date(),
): Promise<PublishResult> {
  const unsigned = await readUnsignedManifest(bundleDir)
  const files = await Promise.all(
    unsigned.files.map(async (f) => ({ path: f.path, bytes: new Uint8Array(await readFile(join(bundleDir, f.path))) })),
  )
  const manifest = await buildManifest({
    id: unsigned.id,
    name: unsigned.name,
    version: unsigned.version,
    parent: unsigned.parent,
    entry: unsigned.entry,
    rules: unsigned.rules,
    publisher: key.thumbprint,
    files,
    now,
  })
  for (const f of files) await store.putBlob(f.bytes)
  const stored = await store.readManifest(manifest.id, manifest.version)
  if (stored !== null && (await storedStillGood(stored, manifest, key, now))) {
    await store.putManifest({ id: manifest.id, version: manifest.version, signed: stored })
    return { id: manifest.id, version: manifest.version, signed: false, manifest }
  }
  const signed = await signManifest(manifest, key, 'root')
  await store.putManifest({ id: manifest.id, version: manifest.version, signed })
  return { id: manifest.id, version: manifest.version, signed: true, manifest }
}

async function readUnsignedManifest(bundleDir: string): Promise<BundleManifest> {
  const path = join(bundleDir, 'manifest.unsigned.json')
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new ContentBundleError(
      `Cannot read ${path} (${(err as Error).message}). Build the content first: npm run build -w @peercompute/content`,
    )
  }
  return parseManifest(json, { signed: false, advice: 'Rebuild it: npm run build -w @peercompute/content' })
}

/** The stored signature verifies, stays valid past the margin, and covers exactly these files and rules. */
async function storedStillGood(
  stored: unknown,
  fresh: BundleManifest,
  key: SigningKey,
  now: Date,
): Promise<boolean> {
  try {
    const later = new Date(now.getTime() + RESIGN_MARGIN_SECONDS * 1000)
    const old = await verifyManifest(stored, { rootKey: key.publicJwk, now: later })
    return sameContent(old, fresh)
  } catch {
    return false
  }
}

function sameContent(a: BundleManifest, b: BundleManifest): boolean {
  const pick = (m: BundleManifest) =>
    JSON.stringify([m.id, m.name, m.version, m.publisher, m.parent, m.entry, m.rules, m.files])
  return pick(a) === pick(b)
}
