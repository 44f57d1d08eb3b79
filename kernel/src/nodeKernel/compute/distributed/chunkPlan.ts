import { ComputeTaskError } from '../computeTask.js'
import { cpuKernelCodeHash, shaderCodeHash } from '../cpuKernels.js'
import type { ChunkCode } from './computeWire.js'
import type { ComputeArray, ComputeTask, CpuKernelName, TaskDistribution } from '../computeTask.js'

/** One piece of a split task. */
export interface Chunk {
  index: number
  code: ChunkCode
  input: ComputeArray
  /** Where its output goes in the task's output, and how long it is (elements). */
  outputOffset: number
  outputLength: number
}

/** A task cut into chunks, and the length of the whole output. */
export interface ChunkPlan { chunks: Chunk[]; outputLength: number; hash: string }

// Output elements per input chunk of n elements, for an 'array' split of each CPU kernel.
const CPU_ARRAY_OUTPUT: Record<CpuKernelName, ((n: number) => number) | null> = {
  square: (n) => n,
  sum: () => 1, // gathered in order: one partial sum per chunk
  prefixSum: null, // not element-wise: a chunk's prefix needs every earlier chunk
  terrain: null // a 'range' kernel
}

/** The code identity a peer checks before running a chunk. */
export async function chunkCodeHash(code: ChunkCode): Promise<string> {
  return code.type === 'cpu' ? cpuKernelCodeHash(code.kernel) : shaderCodeHash(code.shader)
}

/** The plain (local) task that runs one chunk. */
export function taskOfChunk(code: ChunkCode, input: ComputeArray): ComputeTask {
  return code.type === 'cpu'
    ? { type: 'cpu', kernel: code.kernel, input }
    : { type: 'webgpu', shader: code.shader, entryPoint: code.entryPoint, input, outputLength: code.outputLength, workgroups: code.workgroups }
}

/** Cuts a task into chunks as its `distribute.split` says; throws ComputeTaskError for a split that cannot work. */
export async function planChunks(task: ComputeTask & { distribute: TaskDistribution }): Promise<ChunkPlan> {
  const { split, workgroupSize = 64 } = task.distribute
  const hash = task.type === 'cpu' ? await cpuKernelCodeHash(task.kernel) : await shaderCodeHash(task.shader)
  const codeFor = (outputLength: number): ChunkCode => task.type === 'cpu'
    ? { type: 'cpu', kernel: task.kernel }
    : { type: 'webgpu', shader: task.shader, entryPoint: task.entryPoint ?? 'main', outputLength, workgroups: [Math.max(1, Math.ceil(outputLength / workgroupSize)), 1, 1] }
  const chunks: Chunk[] = []
  let offset = 0
  if (split.kind === 'array') {
    if (!(split.chunkElements > 0)) throw new ComputeTaskError('split.chunkElements must be a positive integer.')
    for (let start = 0; start < task.input.length; start += split.chunkElements) {
      const input = task.input.slice(start, start + split.chunkElements)
      const outputLength = outputOfArrayChunk(task, input.length)
      chunks.push({ index: chunks.length, code: codeFor(outputLength), input, outputOffset: offset, outputLength })
      offset += outputLength
    }
  } else {
    if (!(task.input instanceof Uint32Array) || task.input.length < 2) throw new ComputeTaskError("A 'range' task takes a Uint32Array input whose words 0 and 1 are the chunk's first unit and unit count.")
    if (!(split.unitsPerChunk > 0 && split.outputPerUnit > 0)) throw new ComputeTaskError('split.unitsPerChunk and split.outputPerUnit must be positive integers.')
    const first = task.input[0] as number
    for (let unit = 0; unit < split.units; unit += split.unitsPerChunk) {
      const count = Math.min(split.unitsPerChunk, split.units - unit)
      const input = task.input.slice()
      input[0] = first + unit
      input[1] = count
      const outputLength = count * split.outputPerUnit
      chunks.push({ index: chunks.length, code: codeFor(outputLength), input, outputOffset: offset, outputLength })
      offset += outputLength
    }
  }
  return { chunks, outputLength: offset, hash }
}

function outputOfArrayChunk(task: ComputeTask, n: number): number {
  if (task.type === 'webgpu') {
    const out = (n * task.outputLength) / task.input.length
    if (!Number.isInteger(out)) throw new ComputeTaskError('An array-split WebGPU task needs outputLength to be a whole multiple of each chunk\'s share of the input.')
    return out
  }
  const rule = CPU_ARRAY_OUTPUT[task.kernel]
  if (rule == null) throw new ComputeTaskError(`The ${task.kernel} kernel cannot be split by array; it is not element-wise.`)
  return rule(n)
}
