// A child process (not a worker thread): Dawn's Vulkan loader reads its environment at start
// (platform/node/nodeProcessWorkerPort.ts). Exposes the `webgpu` package as navigator.gpu, then
// runs the same worker body as the browser's WebGPU worker.
import { create, globals } from 'webgpu'
import { runWebGPUComputeWorker } from '../../../nodeKernel/compute/webGPUComputeWorker.js'

Object.assign(globalThis, globals)
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true })

runWebGPUComputeWorker({
  postMessage: (msg) => { process.send?.(msg) },
  onMessage: (cb) => { process.on('message', cb) },
  close: () => { process.exit(0) }
})
process.on('disconnect', () => { process.exit(0) })
