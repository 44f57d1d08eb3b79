import type { LoadedWorld } from '@peercompute/kernel'
import { computeCodeOf, generateHeightfield } from '@peercompute/world-sdk'
import type { LoadedBundle } from './loadWorldBundle.js'

/** The world a verified bundle describes, as the kernel and the renderer load it (terrain heights generated here). */
export function loadedWorld(bundle: LoadedBundle): LoadedWorld {
  return {
    id: bundle.manifest.id,
    name: bundle.manifest.name,
    definition: bundle.definition,
    rules: bundle.rules,
    heights: generateHeightfield(bundle.definition.terrain),
    computeCode: computeCodeOf(bundle.manifest),
  }
}
