import { parentPort } from 'node:worker_threads'
import { runCpuComputeWorker } from '../../../nodeKernel/compute/cpuComputeWorker.js'
import { nodeWorkerScope } from '../nodeWorkerScope.js'

runCpuComputeWorker(nodeWorkerScope(parentPort))
