import { z } from 'zod'

/** The typed arrays a task may take as input and give as output. */
export type ComputeArray = Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>

/** A WGSL compute shader run once over `input` (binding 0, read-only) into `output` (binding 1). */
export interface WebGPUTask {
  type: 'webgpu'
  /** WGSL source; runs only if its SHA-256 (of the UTF-8 text) is trusted. */
  shader: string
  /** @default 'main' */
  entryPoint?: string
  input: ComputeArray
  /** Elements of the output array (same element type as `input`). */
  outputLength: number
  /** Workgroups dispatched: x, or [x, y, z]. */
  workgroups: number | [number, number?, number?]
}

/** A built-in CPU kernel run over `input` in a worker. */
export interface CpuTask {
  type: 'cpu'
  kernel: CpuKernelName
  input: ComputeArray
}

/** A task for `submitTask`. Splitting one task across peers is a later step (see ComputeManager). */
export type ComputeTask = WebGPUTask | CpuTask

/** What a task gives back. */
export interface ComputeResult {
  output: ComputeArray
  device: 'cpu' | 'webgpu'
  /** Wall-clock ms from submission to result. */
  ms: number
}

/** The built-in CPU kernels. */
export const CPU_KERNELS = ['sum', 'square', 'prefixSum'] as const
/** The name of a built-in CPU kernel. */
export type CpuKernelName = typeof CPU_KERNELS[number]

/** Thrown when a task's code is not in this node's trusted code set. */
export class UntrustedCodeError extends Error {
  override name = 'UntrustedCodeError'
}

/** Thrown when the device a task needs is not there (no WebGPU adapter, compute disabled). */
export class ComputeUnavailableError extends Error {
  override name = 'ComputeUnavailableError'
}

/** Thrown when a task is malformed or fails in its worker. */
export class ComputeTaskError extends Error {
  override name = 'ComputeTaskError'
}

const computeArray = z.union([z.instanceof(Float32Array), z.instanceof(Uint32Array)])

/** Messages from the main thread to a compute worker. */
export const toComputeWorkerSchema = z.object({
  type: z.literal('run'),
  id: z.number().int(),
  task: z.discriminatedUnion('type', [
    z.object({ type: z.literal('cpu'), kernel: z.enum(CPU_KERNELS), input: computeArray }),
    z.object({
      type: z.literal('webgpu'),
      shader: z.string(),
      entryPoint: z.string(),
      input: computeArray,
      outputLength: z.number().int().positive(),
      workgroups: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()])
    })
  ])
})

/** Messages from the main thread to a compute worker. */
export type ToComputeWorker = z.infer<typeof toComputeWorkerSchema>

/** Messages from a compute worker to the main thread. */
export const fromComputeWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), output: computeArray }),
  z.object({ type: z.literal('error'), id: z.number().int(), message: z.string() })
])

/** Messages from a compute worker to the main thread. */
export type FromComputeWorker = z.infer<typeof fromComputeWorkerSchema>
