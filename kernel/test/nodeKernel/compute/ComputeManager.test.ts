import { afterEach, describe, expect, it } from 'vitest'
import { cpuKernelCodeHash, shaderCodeHash } from '../../../src/nodeKernel/compute/cpuKernels.js'
import { computeManager } from '../../../src/nodeKernel/compute/ComputeManager.js'
import { ComputeUnavailableError, UntrustedCodeError } from '../../../src/nodeKernel/compute/computeTask.js'
import { nodePlatform } from '../../../src/platform/node/index.js'
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

  it('reports no WebGPU adapter in Node and refuses trusted shaders with a typed error', async () => {
    const c = await make(true)
    expect(c.capabilities()).toEqual({ cpu: true, webgpu: 'no adapter' })
    const shader = '@compute @workgroup_size(1) fn main() {}'
    const task = { type: 'webgpu' as const, shader, input: Float32Array.of(1), outputLength: 1, workgroups: 1 }
    await expect(c.submitTask(task)).rejects.toBeInstanceOf(UntrustedCodeError)
    c.trust(await shaderCodeHash(shader))
    await expect(c.submitTask(task)).rejects.toBeInstanceOf(ComputeUnavailableError)
  })
})
