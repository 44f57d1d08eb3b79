import { sha256Hex } from '@peercompute/signing'
import { cpuKernelIdentity } from '@peercompute/world-sdk'
import { terrainRows } from './terrain/terrainParams.js'
import type { ComputeArray, CpuKernelName } from './computeTask.js'

/** The built-in CPU kernels; each returns a new array of the input's element type. */
export const cpuKernels: Record<CpuKernelName, (input: ComputeArray) => ComputeArray> = {
  sum: (input) => {
    let total = 0
    for (const x of input) total += x
    return input instanceof Float32Array ? Float32Array.of(total) : Uint32Array.of(total)
  },
  square: (input) => input.map((x) => x * x),
  prefixSum: (input) => {
    const out = input instanceof Float32Array ? new Float32Array(input.length) : new Uint32Array(input.length)
    let total = 0
    input.forEach((x, i) => { total += x; out[i] = total })
    return out
  },
  // The overworld's terrain rows (terrain/terrainParams.ts): the CPU twin of the WGSL shader.
  terrain: (input) => {
    if (!(input instanceof Uint32Array)) throw new TypeError('The terrain kernel takes a Uint32Array of parameters (terrainParams).')
    return terrainRows(input)
  }
}

/**
 * The code identity of a built-in CPU kernel, as a bundle manifest lists it: SHA-256 of
 * world-sdk's `cpuKernelIdentity(name)` text. Built-ins ship inside the (signed) kernel itself, so they are
 * named rather than hashed from source text, which minifiers rewrite.
 */
export async function cpuKernelCodeHash(name: CpuKernelName): Promise<string> {
  return sha256Hex(new TextEncoder().encode(cpuKernelIdentity(name)))
}

/** The code identity of a WGSL shader: SHA-256 of its UTF-8 text. */
export async function shaderCodeHash(shader: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(shader))
}
