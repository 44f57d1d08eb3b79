import { existsSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { cpuKernelCodeHash, shaderCodeHash } from '../../../src/nodeKernel/compute/cpuKernels.js'
import { computeManager } from '../../../src/nodeKernel/compute/ComputeManager.js'
import { ComputeUnavailableError, UntrustedCodeError } from '../../../src/nodeKernel/compute/computeTask.js'
import { nodePlatform } from '../../../src/platform/node/index.js'
import { WorkerUnavailableError } from '../../../src/platform/Platform.js'
import type { ComputeManager } from '../../../src/nodeKernel/compute/ComputeManager.js'

// Runs the compiled worker (kernel/dist): `npx tsc -b kernel` first.
describe('ComputeManager (Node, worker_threads)', () => {
  let compute: ComputeManager | null = null
  const make = async (enableWebGPU = false) => {
    const platform = nodePlatform()
    compute = computeManager({ enableWebGPU })({ spawnWorker: (kind) => platform.spawnWorker(kind) })
    await compute.start()
    return compute
  }
  afterEach(() => { compute?.stop() })

  it('refuses a kernel that no verified bundle listed', async () => {
    const c = await make()
    await expect(c.submitTask({ type: 'cpu', kernel: 'sum', input: Float32Array.of(1, 2) })).rejects.toBeInstanceOf(UntrustedCodeError)
  })

  it('runs trusted CPU kernels in a worker', async () => {
    const c = await make()
    c.trust(await cpuKernelCodeHash('sum'))
    c.trust(await cpuKernelCodeHash('prefixSum'))
    const sum = await c.submitTask({ type: 'cpu', kernel: 'sum', input: Float32Array.of(1, 2, 3.5) })
    expect(Array.from(sum.output)).toEqual([6.5])
    expect(sum.device).toBe('cpu')
    const prefix = await c.submitTask({ type: 'cpu', kernel: 'prefixSum', input: Uint32Array.of(1, 2, 3) })
    expect(prefix.output).toBeInstanceOf(Uint32Array)
    expect(Array.from(prefix.output)).toEqual([1, 3, 6])
    // Trusting one kernel does not trust another.
    await expect(c.submitTask({ type: 'cpu', kernel: 'square', input: Float32Array.of(2) })).rejects.toBeInstanceOf(UntrustedCodeError)
  })

  it('says so in its capabilities when no WebGPU adapter exists, and refuses shaders with typed errors', async () => {
    const platform = nodePlatform()
    compute = computeManager({ enableWebGPU: true })({
      spawnWorker: (kind) => {
        if (kind === 'compute-webgpu') throw new WorkerUnavailableError('no WebGPU here')
        return platform.spawnWorker(kind)
      }
    })
    await compute.start()
    expect(compute.capabilities()).toEqual({ cpu: true, webgpu: 'no adapter', webgpuSoftware: false, slots: 1 })
    const shader = '@compute @workgroup_size(1) fn main() {}'
    const task = { type: 'webgpu' as const, shader, input: Float32Array.of(1), outputLength: 1, workgroups: 1 }
    await expect(compute.submitTask(task)).rejects.toBeInstanceOf(UntrustedCodeError)
    compute.trust(await shaderCodeHash(shader))
    await expect(compute.submitTask(task)).rejects.toBeInstanceOf(ComputeUnavailableError)
  })

  // Dawn (the `webgpu` package) on Chromium's SwiftShader Vulkan driver: no GPU needed (notes/webgpu.md).
  it.skipIf(!existsSync('/usr/lib/chromium/vk_swiftshader_icd.json'))('runs a trusted WGSL shader in Node through Dawn', async () => {
    const c = await make(true)
    expect(c.capabilities().webgpu).toBe('available')
    const shader = `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&a)) { b[id.x] = a[id.x] * a[id.x]; }
}`
    c.trust(await shaderCodeHash(shader))
    const result = await c.submitTask({ type: 'webgpu', shader, input: Float32Array.of(1, 2, 3), outputLength: 3, workgroups: 1 })
    expect(Array.from(result.output)).toEqual([1, 4, 9])
    expect(result.device).toBe('webgpu')
  })
})
