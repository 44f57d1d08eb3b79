import type { BundleManifest, JWK } from '@peercompute/signing'
import { BundleFormatError, verifyFile, verifyManifest } from '@peercompute/signing'
import type { BasisRules, WorldDefinition } from '@peercompute/world-sdk'
import { parseBasisRules, parseWorldDefinition } from '@peercompute/world-sdk'
import { fetchFromRoot, readBody, type FetchLike } from './fetchFromRoot.js'

/** Download progress of a bundle's files, in bytes of the manifest's listed sizes. */
export interface BundleProgress {
  loaded: number
  total: number
}

/** What {@link loadWorldBundle} needs. */
export interface LoadWorldBundleInit {
  /** World id to load, e.g. the well-known `overworld`. */
  worldId: string
  /** The root's public key from `/.well-known/peercompute.json`: the pinned trust anchor. */
  rootKey: JWK
  /** `fetch`, or an in-memory stand-in in tests. */
  fetch: FetchLike
  /** Prefix of the root's URLs; '' for the page's own origin. @default '' */
  origin?: string
  /** Called as bytes arrive. */
  onProgress?: (progress: BundleProgress) => void
  /**
   * Called once the manifest verified and its files were requested, while they download: the
   * caller can do other work in that time (the files are still unchecked).
   */
  onFilesRequested?: (manifest: BundleManifest) => void
  /** Files fetched at once. @default 4 */
  concurrency?: number
  /** Clock for the expiry check (tests). */
  now?: Date
}

/** A bundle whose signature and every file hash verified, with its world parsed. */
export interface LoadedBundle {
  manifest: BundleManifest
  files: Map<string, Uint8Array>
  definition: WorldDefinition
  rules: BasisRules
}

/**
 * Loads a world the way ARCHITECTURE.md's "Client ↔ kernel" says: the signed manifest from
 * `/api/worlds/<id>/manifest`, verified against the pinned root key; then every file from
 * `/blobs/<sha256>`, each checked by `verifyFile` before anything reads it; then the entry
 * (world.json) and the signed rules parsed. Any failure throws (a BundleError from signing, a
 * RootFetchError, or world-sdk's parse errors) and nothing from the bundle has been used.
 */
export async function loadWorldBundle(init: LoadWorldBundleInit): Promise<LoadedBundle> {
  const origin = init.origin ?? ''
  const manifestUrl = `${origin}/api/worlds/${encodeURIComponent(init.worldId)}/manifest`
  const response = await fetchFromRoot(init.fetch, manifestUrl, `the manifest of world "${init.worldId}"`)
  let signed: unknown
  try {
    signed = await response.json()
  } catch {
    throw new BundleFormatError(`The manifest of world "${init.worldId}" is not JSON. The root is misconfigured; tell its operator.`)
  }
  const manifest = await verifyManifest(signed, init.now === undefined ? { rootKey: init.rootKey } : { rootKey: init.rootKey, now: init.now })

  const total = manifest.files.reduce((sum, file) => sum + file.size, 0)
  let loaded = 0
  init.onProgress?.({ loaded, total })
  const files = new Map<string, Uint8Array>()
  const queue = [...manifest.files]
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const blob = await fetchFromRoot(init.fetch, `${origin}/blobs/${file.sha256}`, `"${file.path}" of world "${manifest.id}"`)
      const bytes = await readBody(blob, file.size, (n) => {
        loaded += n
        init.onProgress?.({ loaded: Math.min(loaded, total), total })
      })
      await verifyFile(manifest, file.path, bytes)
      files.set(file.path, bytes)
    }
  }
  const downloads = Promise.all(Array.from({ length: Math.max(1, init.concurrency ?? 4) }, worker))
  init.onFilesRequested?.(manifest)
  await downloads

  const entry = files.get(manifest.entry)
  if (entry === undefined) throw new BundleFormatError(`The entry file "${manifest.entry}" of world "${manifest.id}" is missing. Republish the bundle.`)
  let entryJson: unknown
  try {
    entryJson = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry))
  } catch (err) {
    throw new BundleFormatError(`The entry file "${manifest.entry}" of world "${manifest.id}" is not valid JSON (${err instanceof Error ? err.message : String(err)}). Republish the bundle.`)
  }
  return { manifest, files, definition: parseWorldDefinition(entryJson), rules: parseBasisRules(manifest.rules) }
}
