import { existsSync } from 'node:fs'
import { generateHeightfield } from '@peercompute/world-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeManager } from '../../../../src/nodeKernel/compute/ComputeManager.js'
import { cpuKernelCodeHash, shaderCodeHash } from '../../../../src/nodeKernel/compute/cpuKernels.js'
import { terrainParams, terrainRows } from '../../../../src/nodeKernel/compute/terrain/terrainParams.js'
import { TERRAIN_WGSL } from '@peercompute/world-sdk'
import { nodePlatform } from '../../../../src/platform/node/index.js'
import type { ComputeManager } from '../../../../src/nodeKernel/compute/ComputeManager.js'
import type { TerrainDefinition } from '@peercompute/world-sdk'

const overworld: TerrainDefinition = { seed: 20250611, size: 256, resolution: 129, amplitude: 18 }
const odd: TerrainDefinition = { seed: -123457, size: 100, resolution: 19, amplitude: 3.3 }
const rowsOf = (t: TerrainDefinition, first: number, rows: number): Uint32Array =>
  new Uint32Array(generateHeightfield(t).buffer).slice(first * t.resolution, (first + rows) * t.resolution)

describe('terrain: CPU kernel and WGSL shader give generateHeightfield\'s bytes', () => {
  it('the CPU kernel matches every byte', () => {
    expect(terrainRows(terrainParams(overworld))).toEqual(new Uint32Array(generateHeightfield(overworld).buffer))
    expect(terrainRows(terrainParams(odd, 5, 7))).toEqual(rowsOf(odd, 5, 7))
  })

  // Dawn on SwiftShader (CPU Vulkan), float64 emulated in u32: slow, so a few rows of each terrain.
  describe.skipIf(!existsSync('/usr/lib/chromium/vk_swiftshader_icd.json'))('WGSL in Node through Dawn', () => {
    let compute: ComputeManager
    beforeAll(async () => {
      const platform = nodePlatform()
      compute = computeManager({ enableWebGPU: true })({ spawnWorker: (kind) => platform.spawnWorker(kind) })
      await compute.start()
      compute.trust(await shaderCodeHash(TERRAIN_WGSL))
      compute.trust(await cpuKernelCodeHash('terrain'))
    })
    afterAll(() => { compute.stop() })

    const gpuRows = async (t: TerrainDefinition, first: number, rows: number): Promise<Uint32Array> => {
      const outputLength = rows * t.resolution
      const result = await compute.submitTask({ type: 'webgpu', shader: TERRAIN_WGSL, input: terrainParams(t, first, rows), outputLength, workgroups: Math.ceil(outputLength / 64) })
      expect(result.device).toBe('webgpu')
      return result.output as Uint32Array
    }

    it('matches the spawn area of the overworld (flat, blend and hills) and a whole odd terrain', async () => {
      expect(await gpuRows(overworld, 61, 7)).toEqual(rowsOf(overworld, 61, 7))
      expect(await gpuRows(odd, 0, odd.resolution)).toEqual(rowsOf(odd, 0, odd.resolution))
    })

    it('splits the terrain into row chunks like any range task', async () => {
      const t: TerrainDefinition = { ...odd, resolution: 33 }
      const outputPerUnit = t.resolution
      const result = await compute.submitTask({ type: 'webgpu', shader: TERRAIN_WGSL, input: terrainParams(t), outputLength: t.resolution ** 2, workgroups: 1,
        distribute: { split: { kind: 'range', units: t.resolution, unitsPerChunk: 8, outputPerUnit } } })
      expect(result.output).toEqual(new Uint32Array(generateHeightfield(t).buffer))
      expect(result.chunks?.total).toBe(5)
    })
  })
})
