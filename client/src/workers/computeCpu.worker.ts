/// <reference lib="webworker" />
/** CPU compute tasks (kernels named in signed bundles), run by the kernel's shared worker body. */
import { runCpuComputeWorker } from '@peercompute/kernel/compute-worker'
import { dedicatedWorkerScope } from './workerScope.js'

runCpuComputeWorker(dedicatedWorkerScope())
