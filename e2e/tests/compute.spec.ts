import { terrainParams } from '@peercompute/kernel'
import { TERRAIN_WGSL, generateHeightfield } from '@peercompute/world-sdk'
import type { TerrainDefinition } from '@peercompute/world-sdk'
import { expect, test } from './fixtures.js'

/** What the page's node answers about compute, as far as this test reads it. */
interface PageCompute {
  caps: { webgpu: string; webgpuSoftware: boolean }
  gpu: { device: string; words: number[] }
  cpu: { device: string; words: number[] }
}

/** The overworld's terrain (content/overworld/world.json). */
const OVERWORLD: TerrainDefinition = { seed: 20250611, size: 256, resolution: 129, amplitude: 8 }

test.describe('compute in the browser', () => {
  test('WebGPU (SwiftShader) and the CPU worker give the same terrain bytes as generateHeightfield', async ({ player }) => {
    const page = await player('Cora')
    // Rows across the spawn's flat, its blend and the hills (SwiftShader emulates the shader's
    // float64 slowly: a band of rows, not the whole terrain).
    const first = 60
    const rows = 6
    const params = [...terrainParams(OVERWORLD, first, rows)]
    const outputLength = rows * OVERWORLD.resolution
    const answer = await page.evaluate(async ({ shader, params, outputLength }) => {
      interface Result { device: string; output: Uint32Array }
      const node = (window as unknown as {
        peercompute: {
          kernel: { compute: { capabilities(): { webgpu: string; webgpuSoftware: boolean } } }
          submitTask(task: object): Promise<Result>
        }
      }).peercompute
      const input = Uint32Array.from(params)
      // Both run in the page's compute workers, trusted because the overworld's signed bundle lists them.
      const gpu = await node.submitTask({ type: 'webgpu', shader, input, outputLength, workgroups: Math.ceil(outputLength / 64) })
      const cpu = await node.submitTask({ type: 'cpu', kernel: 'terrain', input })
      return {
        caps: node.kernel.compute.capabilities(),
        gpu: { device: gpu.device, words: [...gpu.output] },
        cpu: { device: cpu.device, words: [...cpu.output] }
      } satisfies PageCompute
    }, { shader: TERRAIN_WGSL, params, outputLength })

    expect(answer.caps).toEqual(expect.objectContaining({ webgpu: 'available', webgpuSoftware: true }))
    const expected = [...new Uint32Array(generateHeightfield(OVERWORLD).buffer, first * OVERWORLD.resolution * 4, outputLength)]
    expect(answer.gpu.device).toBe('webgpu')
    expect(answer.cpu.device).toBe('cpu')
    expect(answer.gpu.words).toEqual(expected)
    expect(answer.cpu.words).toEqual(expected)
  })

  test('a shader no signed bundle lists is refused in the page', async ({ player }) => {
    const page = await player('Dora')
    const error = await page.evaluate(async () => {
      const node = (window as unknown as { peercompute: { submitTask(task: object): Promise<unknown> } }).peercompute
      const shader = '@group(0) @binding(0) var<storage, read> a: array<u32>; @group(0) @binding(1) var<storage, read_write> b: array<u32>; @compute @workgroup_size(1) fn main() { b[0] = a[0]; }'
      try {
        await node.submitTask({ type: 'webgpu', shader, input: Uint32Array.of(7), outputLength: 1, workgroups: 1 })
        return null
      } catch (err) {
        return { name: (err as Error).name, message: (err as Error).message }
      }
    })
    expect(error?.name).toBe('UntrustedCodeError')
    expect(error?.message).toContain('only code from signed bundles runs')
  })
})
