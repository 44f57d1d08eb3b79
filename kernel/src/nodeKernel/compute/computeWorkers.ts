/**
 * Worker bodies for compute, for the client's worker entry files
 * (`@peercompute/kernel/compute-worker`): `runCpuComputeWorker(scope)`, `runWebGPUComputeWorker(scope)`.
 */
export { runCpuComputeWorker } from './cpuComputeWorker.js'
export { runWebGPUComputeWorker } from './webGPUComputeWorker.js'
export type { WorkerScope } from '../../platform/WorkerPort.js'
