import { access, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256Hex, signedManifestSchema, WORLD_ID_PATTERN } from '@peercompute/signing'
import type { SignedManifest } from '@peercompute/signing'
import { writeFileAtomic } from '../dataDir/privateFile.js'
import { compareVersions } from '@peercompute/signing'

/** A stored signed manifest and the world id and version it was stored under. */
export interface StoredBundle {
  id: string
  version: string
  signed: SignedManifest
}

const SHA256_HEX = /^[0-9a-f]{64}$/
const VERSION_DIR = /^\d[0-9A-Za-z.+-]{0,127}$/

/** True when `s` has the shape of a blob name: 64 lowercase hex characters. */
export function isSha256Hex(s: string): boolean {
  return SHA256_HEX.test(s)
}

/**
 * The root's bundle storage in the data folder: content-addressed file bytes under `blobs/<sha256>`
 * and signed manifests under `bundles/<id>/<version>/manifest.jws.json`. It keeps the newest
 * version of each world in memory for serving.
 */
export class BundleStore {
  readonly #dataDir: string
  readonly #latest = new Map<string, StoredBundle>()

  constructor(dataDir: string) {
    this.#dataDir = dataDir
  }

  /** Path of the blob with this hash (whether or not it exists); throws on a malformed hash. */
  blobPath(sha256: string): string {
    if (!isSha256Hex(sha256)) throw new RangeError(`not a SHA-256 hex digest: ${sha256}`)
    return join(this.#dataDir, 'blobs', sha256)
  }

  /** Stores `bytes` under their SHA-256 (once) and returns the hash. */
  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = await sha256Hex(bytes)
    const path = this.blobPath(hash)
    const exists = await access(path).then(() => true, () => false)
    if (!exists) await writeFileAtomic(path, bytes)
    return hash
  }

  /** Writes the signed manifest for `id`@`version` and makes it the served one if it is the newest. */
  async putManifest(bundle: StoredBundle): Promise<void> {
    const path = this.#manifestPath(bundle.id, bundle.version)
    await writeFileAtomic(path, JSON.stringify(bundle.signed, null, 2) + '\n')
    const current = this.#latest.get(bundle.id)
    if (current === undefined || compareVersions(bundle.version, current.version) >= 0) this.#latest.set(bundle.id, bundle)
  }

  /** The stored manifest of `id`@`version`, or null when there is none or it is unreadable. */
  async readManifest(id: string, version: string): Promise<SignedManifest | null> {
    try {
      const raw = await readFile(this.#manifestPath(id, version), 'utf8')
      return signedManifestSchema.parse(JSON.parse(raw)) as SignedManifest
    } catch {
      return null
    }
  }

  /** Reads every stored manifest and remembers the newest version of each world. */
  async load(): Promise<void> {
    const root = join(this.#dataDir, 'bundles')
    const ids = await readdir(root).catch(() => [] as string[])
    for (const id of ids.filter((d) => WORLD_ID_PATTERN.test(d))) {
      const versions = (await readdir(join(root, id)).catch(() => [] as string[])).filter((v) => VERSION_DIR.test(v))
      versions.sort(compareVersions)
      for (const version of versions.reverse()) {
        const signed = await this.readManifest(id, version)
        if (signed !== null) {
          this.#latest.set(id, { id, version, signed })
          break
        }
      }
    }
  }

  /** The newest signed manifest of world `id`, or undefined. */
  latest(id: string): StoredBundle | undefined {
    return this.#latest.get(id)
  }

  /** How many worlds have a signed manifest. */
  worldCount(): number {
    return this.#latest.size
  }

  #manifestPath(id: string, version: string): string {
    if (!WORLD_ID_PATTERN.test(id) || !VERSION_DIR.test(version)) {
      throw new RangeError(`not a storable world id and version: ${id}@${version}`)
    }
    return join(this.#dataDir, 'bundles', id, version, 'manifest.jws.json')
  }
}
