/**
 * @peercompute/content — the overworld (and later example sub-worlds) as bundle sources, and the
 * built bundles a root signs and serves.
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url'

/** Absolute path of `content/dist/bundles`: one folder per built bundle, each with manifest.unsigned.json. */
export function contentBundlesDir(): string {
  return fileURLToPath(new URL('../dist/bundles', import.meta.url))
}

/** Absolute path of the folder holding the bundle sources (`content/overworld`, ...). */
export function contentSourcesDir(): string {
  return fileURLToPath(new URL('..', import.meta.url))
}

export { ContentBuildError, UNSIGNED_MANIFEST_FILE, buildBundle } from './buildBundle.js'
export { placeOnTerrain } from './placeOnTerrain.js'
