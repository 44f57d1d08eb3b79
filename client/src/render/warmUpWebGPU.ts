import type { RendererRequest } from '../boot/urlOptions.js'
import { shouldProbeWebGPU } from './engineChoice.js'

/**
 * Asks for a WebGPU adapter at boot and drops it, so the GPU process sets up its device
 * backend while the bundle downloads and verifies: the renderer's own request later returns
 * sooner. It touches no canvas and runs nothing of the bundle; failures are left to the probe.
 */
export function warmUpWebGPU(request: RendererRequest): void {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu
  if (gpu === undefined || !shouldProbeWebGPU(request, true)) return
  gpu.requestAdapter().catch(() => undefined)
}
