import type { RendererRequest } from '../boot/urlOptions.js'

/** The renderers the client can run. */
export type Renderer = 'webgpu' | 'webgl2'

/** What trying WebGPU found. */
export type WebGPUProbe =
  /** Not tried (the page asked for WebGL2). */
  | { kind: 'skipped' }
  /** No `navigator.gpu`, or it gave no adapter. */
  | { kind: 'unavailable'; reason: string }
  /** The engine initialised, drew a test frame and the GPU finished it with the device alive. */
  | { kind: 'ok' }
  /** Initialisation threw, the test frame timed out, or the device was lost. */
  | { kind: 'failed'; reason: string }

/** The renderer to use and why, for the HUD and the logs. */
export interface RendererDecision {
  renderer: Renderer
  reason: string
}

/** Whether to try WebGPU at all: not when WebGL2 is forced or the browser has no `navigator.gpu`. */
export function shouldProbeWebGPU(request: RendererRequest, hasNavigatorGpu: boolean): boolean {
  return request !== 'webgl2' && hasNavigatorGpu
}

/**
 * Picks the renderer from what the probe saw. WebGPU is used only after it proved itself with a
 * test frame; everything else falls back to WebGL2, even when WebGPU was asked for, because a
 * page that renders beats one that does not.
 */
export function decideRenderer(request: RendererRequest, probe: WebGPUProbe): RendererDecision {
  switch (probe.kind) {
    case 'ok':
      return { renderer: 'webgpu', reason: 'WebGPU drew a test frame' }
    case 'skipped':
      return { renderer: 'webgl2', reason: request === 'webgl2' ? 'WebGL2 was requested (?renderer=webgl2)' : 'WebGPU was not tried' }
    case 'unavailable':
      return { renderer: 'webgl2', reason: `WebGPU is unavailable: ${probe.reason}` }
    case 'failed':
      return { renderer: 'webgl2', reason: `WebGPU failed its test frame: ${probe.reason}` }
  }
}
