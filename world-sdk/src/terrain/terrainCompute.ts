import { TERRAIN_WGSL } from './terrainShader.js'

/**
 * The identity of a built-in CPU kernel, as text: a bundle lists a file holding exactly this
 * text to let nodes run that kernel for it (the kernel's code ships with every node; the bundle
 * names which of it the world needs). A node trusts the SHA-256 of this text.
 */
export function cpuKernelIdentity(name: string): string {
  return `peercompute/cpu-kernel/${name}@1`
}

/** Where a bundle keeps code the compute network may run for it (ARCHITECTURE.md, "Compute code in bundles"). */
export const COMPUTE_DIR = 'compute/'

/**
 * The terrain's compute code, added to every bundle by the build: the WGSL shader and the CPU
 * kernel's identity, so nodes that enter the world compute its terrain on WebGPU or CPU workers,
 * theirs and their peers'.
 */
export const TERRAIN_COMPUTE_FILES: ReadonlyArray<{ path: string; text: string }> = [
  { path: `${COMPUTE_DIR}terrain.wgsl`, text: TERRAIN_WGSL },
  { path: `${COMPUTE_DIR}terrain.cpu`, text: cpuKernelIdentity('terrain') },
]

/** SHA-256 (hex) of each file a manifest lists under compute/: the code its world lets nodes run. */
export function computeCodeOf(manifest: { files: ReadonlyArray<{ path: string; sha256: string }> }): string[] {
  return manifest.files.filter((f) => f.path.startsWith(COMPUTE_DIR)).map((f) => f.sha256)
}
