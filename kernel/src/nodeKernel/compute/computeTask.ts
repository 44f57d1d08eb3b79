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

/**
 * How a task is split into chunks and spread over peers (compute/distributed). 'array': the input
 * is cut into chunks of `chunkElements` and each chunk's output is the kernel over that chunk
 * (element-wise kernels). 'range': a Uint32Array input whose words 0 and 1 are set per chunk to the
 * chunk's first unit and unit count; each unit gives `outputPerUnit` output elements.
 */
export type TaskSplit =
  | { kind: 'array'; chunkElements: number }
  | { kind: 'range'; units: number; unitsPerChunk: number; outputPerUnit: number }

/** Spreading a task over the peers this node is linked to. */
export interface TaskDistribution {
  split: TaskSplit
  /** WGSL workgroup size along x, to size each chunk's dispatch. @default 64 */
  workgroupSize?: number
  /** The task fails with ComputeDeadlineError after this many ms. @default 60000 */
  deadlineMs?: number
  /** Cancels the task (ComputeCancelledError). */
  signal?: AbortSignal
  /** Share (0..1) of remote chunks run again elsewhere and compared byte for byte. @default 0 */
  verify?: number
  /** Whether this node computes chunks too. @default true */
  local?: boolean
  /** A chunk with no answer after this long goes to another peer. @default 10000 */
  stallMs?: number
}

/** A task for `submitTask`: run here, or with `distribute` split across peers. */
export type ComputeTask = (WebGPUTask | CpuTask) & { distribute?: TaskDistribution }

/** What a task gives back. */
export interface ComputeResult {
  output: ComputeArray
  device: 'cpu' | 'webgpu'
  /** Wall-clock ms from submission to result. */
  ms: number
  /** Distributed tasks: chunks computed per peer (this node's peerId included), and checks made. */
  chunks?: { total: number; byPeer: Record<string, number>; verified: number; rejected: number; reassigned: number }
}

/** The built-in CPU kernels. */
export const CPU_KERNELS = ['sum', 'square', 'prefixSum', 'terrain'] as const
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

/** Thrown when a distributed task passes its deadline. */
export class ComputeDeadlineError extends Error {
  override name = 'ComputeDeadlineError'
}

/** Thrown when a distributed task is cancelled through its signal. */
export class ComputeCancelledError extends Error {
  override name = 'ComputeCancelledError'
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
  z.object({ type: z.literal('error'), id: z.number().int(), message: z.string() }),
  /** The WebGPU worker's answer to `{ type: 'probe' }`: whether it got an adapter and device. */
  z.object({ type: z.literal('probe'), adapter: z.boolean() })
])

/** Messages from a compute worker to the main thread. */
export type FromComputeWorker = z.infer<typeof fromComputeWorkerSchema>
