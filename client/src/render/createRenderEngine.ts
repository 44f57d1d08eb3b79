import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js'
import { Engine } from '@babylonjs/core/Engines/engine.js'
import { WebGPUEngine } from '@babylonjs/core/Engines/webgpuEngine.js'
import { Scene } from '@babylonjs/core/scene.js'
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera.js'
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import { Color4 } from '@babylonjs/core/Maths/math.color.js'
import type { RendererRequest } from '../boot/urlOptions.js'
import { decideRenderer, shouldProbeWebGPU, type Renderer, type WebGPUProbe } from './engineChoice.js'

/** Neither WebGPU nor WebGL2 could start. */
export class RendererError extends Error {
  override name = 'RendererError'
}

/** The engine in use, the renderer it really is, and why it was chosen. */
export interface RenderEngine {
  engine: AbstractEngine
  renderer: Renderer
  reason: string
  /** The canvas the engine draws on (a fresh one when WebGPU was tried and dropped). */
  canvas: HTMLCanvasElement
}

/** How long the WebGPU probe may take before it counts as failed. */
const PROBE_TIMEOUT_MS = 6000

// The DOM lib of TypeScript 5.9 has no WebGPU types; only what the probe touches is declared.
interface GpuLike { requestAdapter(): Promise<unknown> }
interface GpuDeviceLike { queue: { onSubmittedWorkDone(): Promise<void> }; lost: Promise<{ message?: string; reason?: string }> }

/**
 * Creates the Babylon engine: WebGPU when it draws a test frame that the GPU completes with the
 * device alive, otherwise WebGL2 on a fresh canvas (a canvas that held a WebGPU context cannot
 * give a WebGL one). `?renderer=webgl2` skips WebGPU.
 */
export async function createRenderEngine(canvas: HTMLCanvasElement, request: RendererRequest): Promise<RenderEngine> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu
  let probe: WebGPUProbe = { kind: 'skipped' }
  if (shouldProbeWebGPU(request, gpu !== undefined)) {
    const attempt = await probeWebGPU(canvas, gpu as GpuLike)
    probe = attempt.probe
    if (attempt.engine !== null) {
      const decision = decideRenderer(request, probe)
      return { engine: attempt.engine, renderer: decision.renderer, reason: decision.reason, canvas }
    }
    canvas = replaceCanvas(canvas)
  }
  const decision = decideRenderer(request, probe)
  const engine = new Engine(canvas, true, { preserveDrawingBuffer: false, stencil: true, disableWebGL2Support: false }, true)
  if (engine.webGLVersion < 2) {
    engine.dispose()
    throw new RendererError(`This browser offers neither WebGPU nor WebGL2 (${decision.reason}). Enable hardware acceleration or use a current Chrome, Edge, Firefox or Safari.`)
  }
  return { engine, renderer: 'webgl2', reason: decision.reason, canvas }
}

async function probeWebGPU(canvas: HTMLCanvasElement, gpu: GpuLike): Promise<{ probe: WebGPUProbe; engine: WebGPUEngine | null }> {
  let adapter: unknown
  try {
    adapter = await withTimeout(gpu.requestAdapter(), PROBE_TIMEOUT_MS, 'requestAdapter')
  } catch (err) {
    return { probe: { kind: 'unavailable', reason: messageOf(err) }, engine: null }
  }
  if (adapter === null || adapter === undefined) return { probe: { kind: 'unavailable', reason: 'no GPU adapter' }, engine: null }

  let engine: WebGPUEngine | null = null
  try {
    engine = new WebGPUEngine(canvas, { antialias: true, adaptToDeviceRatio: true, stencil: true })
    await withTimeout(engine.initAsync(), PROBE_TIMEOUT_MS, 'initAsync')
    const device = (engine as unknown as { _device: GpuDeviceLike })._device
    const lost = device.lost.then((info) => {
      throw new Error(`device lost (${info.reason ?? ''} ${info.message ?? ''})`.trim())
    })
    lost.catch(() => undefined)
    await drawTestFrame(engine)
    await withTimeout(Promise.race([device.queue.onSubmittedWorkDone(), lost]), PROBE_TIMEOUT_MS, 'test frame')
    // A lost device is reported asynchronously after the failing submit; give it a moment.
    await Promise.race([lost, new Promise((resolve) => setTimeout(resolve, 100))])
    return { probe: { kind: 'ok' }, engine }
  } catch (err) {
    try {
      engine?.dispose()
    } catch {
      // The engine may be half-built; disposing it is best effort before the fallback.
    }
    return { probe: { kind: 'failed', reason: messageOf(err) }, engine: null }
  }
}

async function drawTestFrame(engine: WebGPUEngine): Promise<void> {
  const scene = new Scene(engine)
  scene.clearColor = new Color4(0.04, 0.05, 0.08, 1)
  new FreeCamera('probe', new Vector3(0, 0, -1), scene)
  try {
    engine.beginFrame()
    scene.render()
    engine.endFrame()
  } finally {
    scene.dispose()
  }
}

function replaceCanvas(old: HTMLCanvasElement): HTMLCanvasElement {
  const fresh = document.createElement('canvas')
  for (const attr of Array.from(old.attributes)) fresh.setAttribute(attr.name, attr.value)
  old.replaceWith(fresh)
  return fresh
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
