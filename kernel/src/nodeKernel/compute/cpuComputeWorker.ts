import { cpuKernels } from './cpuKernels.js'
import { toComputeWorkerSchema } from './computeTask.js'
import type { FromComputeWorker } from './computeTask.js'
import type { WorkerScope } from '../../platform/WorkerPort.js'

/** The CPU compute worker's body; each runtime's entry file calls it with its worker scope. */
export function runCpuComputeWorker(scope: WorkerScope): void {
  scope.onMessage((raw) => {
    const parsed = toComputeWorkerSchema.safeParse(raw)
    if (!parsed.success || parsed.data.task.type !== 'cpu') {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1
      scope.postMessage({ type: 'error', id, message: 'The CPU worker got a malformed task.' } satisfies FromComputeWorker)
      return
    }
    const { id, task } = parsed.data
    try {
      const output = cpuKernels[task.kernel](task.input)
      scope.postMessage({ type: 'result', id, output } satisfies FromComputeWorker, [output.buffer as ArrayBuffer])
    } catch (err) {
      scope.postMessage({ type: 'error', id, message: err instanceof Error ? err.message : String(err) } satisfies FromComputeWorker)
    }
  })
}
