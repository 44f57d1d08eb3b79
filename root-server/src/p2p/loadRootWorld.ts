import { readFile } from 'node:fs/promises'
import type { LoadedWorld } from '@peercompute/kernel'
import type { BundleManifest } from '@peercompute/signing'
import { computeCodeOf, generateHeightfield, parseBasisRules, parseWorldDefinition } from '@peercompute/world-sdk'
import type { BundleStore } from '../bundles/bundleStore.js'

/**
 * The world the root's kernel carries, from a bundle it signed: the entry file (world.json) read
 * from the blob store and parsed, and the bundle's rules over the defaults. The root checks chat
 * and presence against these rules, so it must have the real ones, not the defaults.
 */
export async function loadRootWorld(manifest: BundleManifest, store: BundleStore): Promise<LoadedWorld> {
  const entry = manifest.files.find((f) => f.path === manifest.entry)
  if (entry === undefined) throw new Error(`The ${manifest.id} manifest lists no entry file ${manifest.entry}.`)
  const definition = parseWorldDefinition(JSON.parse(await readFile(store.blobPath(entry.sha256), 'utf8')))
  return {
    id: manifest.id,
    name: manifest.name,
    definition,
    rules: parseBasisRules(manifest.rules),
    heights: generateHeightfield(definition.terrain),
    computeCode: computeCodeOf(manifest),
  }
}
