/// <reference lib="webworker" />
/** WebGPU compute tasks (WGSL shaders whose hash a signed bundle lists), off the render thread. */
import { runWebGPUComputeWorker } from '@peercompute/kernel/compute-worker'
import { dedicatedWorkerScope } from './workerScope.js'

runWebGPUComputeWorker(dedicatedWorkerScope())
