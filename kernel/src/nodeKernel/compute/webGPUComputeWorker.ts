import { toComputeWorkerSchema } from './computeTask.js'
import type { ComputeArray, FromComputeWorker } from './computeTask.js'
import type { WorkerScope } from '../../platform/WorkerPort.js'

// The few WebGPU calls used here, typed locally: the kernel's tsconfig has no @webgpu/types.
interface GPUBufferLike { mapAsync(mode: number): Promise<void>; getMappedRange(): ArrayBuffer; unmap(): void; destroy(): void }
interface GPUDeviceLike {
  queue: { writeBuffer(b: GPUBufferLike, offset: number, data: ArrayBufferView): void; submit(cmds: unknown[]): void }
  createBuffer(d: { size: number; usage: number }): GPUBufferLike
  createShaderModule(d: { code: string }): unknown
  createComputePipeline(d: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): { getBindGroupLayout(i: number): unknown }
  createBindGroup(d: { layout: unknown; entries: Array<{ binding: number; resource: { buffer: GPUBufferLike } }> }): unknown
  createCommandEncoder(): {
    beginComputePass(): { setPipeline(p: unknown): void; setBindGroup(i: number, g: unknown): void; dispatchWorkgroups(x: number, y: number, z: number): void; end(): void }
    copyBufferToBuffer(a: GPUBufferLike, ao: number, b: GPUBufferLike, bo: number, size: number): void
    finish(): unknown
  }
}
interface GPUAdapterLike {
  requestDevice(): Promise<GPUDeviceLike>
  info?: { isFallbackAdapter?: boolean; architecture?: string; description?: string; vendor?: string }
  isFallbackAdapter?: boolean
}
interface GPULike { requestAdapter(): Promise<GPUAdapterLike | null> }

// GPUBufferUsage and GPUMapMode flags (WebGPU spec values).
const STORAGE = 0x80
const COPY_DST = 0x08
const COPY_SRC = 0x04
const MAP_READ = 0x01
const MODE_READ = 0x01

/** The navigator's WebGPU entry point, or null where there is none (Node, old browsers). */
export function webGPU(): GPULike | null {
  return (globalThis as { navigator?: { gpu?: GPULike } }).navigator?.gpu ?? null
}

/**
 * The WebGPU compute worker's body: binding 0 is the input (read-only storage), binding 1 the
 * output (storage); the output is copied back and returned with the input's element type.
 */
export function runWebGPUComputeWorker(scope: WorkerScope): void {
  let device: Promise<GPUDeviceLike> | null = null
  scope.onMessage((raw) => {
    if ((raw as { type?: unknown } | null)?.type === 'probe') {
      // Where the main thread has no navigator.gpu (Node), it asks the worker whether an adapter exists.
      device ??= requestDevice()
      device.then(() => true, () => false).then((adapter) => { scope.postMessage({ type: 'probe', adapter } satisfies FromComputeWorker) })
      return
    }
    const parsed = toComputeWorkerSchema.safeParse(raw)
    const id = parsed.success ? parsed.data.id : -1
    if (!parsed.success || parsed.data.task.type !== 'webgpu') {
      scope.postMessage({ type: 'error', id, message: 'The WebGPU worker got a malformed task.' } satisfies FromComputeWorker)
      return
    }
    const task = parsed.data.task
    device ??= requestDevice()
    device.then(async (gpu) => {
      const output = await run(gpu, task.shader, task.entryPoint, task.input, task.outputLength, task.workgroups)
      scope.postMessage({ type: 'result', id, output } satisfies FromComputeWorker, [output.buffer as ArrayBuffer])
    }).catch((err: unknown) => {
      scope.postMessage({ type: 'error', id, message: err instanceof Error ? err.message : String(err) } satisfies FromComputeWorker)
    })
  })
}

async function requestDevice(): Promise<GPUDeviceLike> {
  const adapter = await webGPU()?.requestAdapter()
  if (adapter == null) throw new Error('No WebGPU adapter in this worker.')
  return adapter.requestDevice()
}

// Compiling a pipeline costs far more than running one (seconds on SwiftShader): chunks of one
// task, and later tasks with the same shader, reuse it.
type Pipeline = ReturnType<GPUDeviceLike['createComputePipeline']>
const pipelines = new Map<string, Pipeline>()
function pipelineFor(gpu: GPUDeviceLike, shader: string, entryPoint: string): Pipeline {
  const key = `${entryPoint}\n${shader}`
  let pipeline = pipelines.get(key)
  if (pipeline == null) {
    pipeline = gpu.createComputePipeline({ layout: 'auto', compute: { module: gpu.createShaderModule({ code: shader }), entryPoint } })
    if (pipelines.size >= 16) pipelines.delete(pipelines.keys().next().value as string)
    pipelines.set(key, pipeline)
  }
  return pipeline
}

async function run(gpu: GPUDeviceLike, shader: string, entryPoint: string, input: ComputeArray,
  outputLength: number, [x, y, z]: [number, number, number]): Promise<ComputeArray> {
  const outBytes = outputLength * 4
  const inBuffer = gpu.createBuffer({ size: Math.max(4, input.byteLength), usage: STORAGE | COPY_DST })
  const outBuffer = gpu.createBuffer({ size: outBytes, usage: STORAGE | COPY_SRC })
  const readBuffer = gpu.createBuffer({ size: outBytes, usage: MAP_READ | COPY_DST })
  try {
    gpu.queue.writeBuffer(inBuffer, 0, input)
    const pipeline = pipelineFor(gpu, shader, entryPoint)
    const bindGroup = gpu.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: inBuffer } }, { binding: 1, resource: { buffer: outBuffer } }]
    })
    const encoder = gpu.createCommandEncoder()
    const pass = encoder.beginComputePass()
    pass.setPipeline(pipeline)
    pass.setBindGroup(0, bindGroup)
    pass.dispatchWorkgroups(x, y, z)
    pass.end()
    encoder.copyBufferToBuffer(outBuffer, 0, readBuffer, 0, outBytes)
    gpu.queue.submit([encoder.finish()])
    await readBuffer.mapAsync(MODE_READ)
    const copy = readBuffer.getMappedRange().slice(0)
    readBuffer.unmap()
    return input instanceof Float32Array ? new Float32Array(copy) : new Uint32Array(copy)
  } finally {
    inBuffer.destroy()
    outBuffer.destroy()
    readBuffer.destroy()
  }
}
