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
 * An engine that drew its test frame, before its grace period for a late device loss ended:
 * callers may build their scene on it meanwhile, but draw only after {@link confirmed}.
 */
export interface PendingRenderEngine extends RenderEngine {
  /**
   * Resolves to this engine once WebGPU outlived the grace period (or at once for WebGL2), or to
   * a WebGL2 engine on a fresh canvas when the device was lost: a scene built on this engine must
   * then be rebuilt on the new one.
   */
  confirmed(): Promise<RenderEngine>
}

/** How long after the test frame a lost WebGPU device still counts as a failed probe. */
const LOSS_GRACE_MS = 100

/**
 * Creates the Babylon engine: WebGPU when it draws a test frame that the GPU completes with the
 * device alive, otherwise WebGL2 on a fresh canvas (a canvas that held a WebGPU context cannot
 * give a WebGL one). `?renderer=webgl2` skips WebGPU.
 */
export async function createRenderEngine(canvas: HTMLCanvasElement, request: RendererRequest): Promise<RenderEngine> {
  return (await startRenderEngine(canvas, request)).confirmed()
}

/**
 * {@link createRenderEngine} that returns as soon as WebGPU drew its test frame, leaving the
 * grace period for a late device loss to {@link PendingRenderEngine.confirmed}, so the caller can
 * build its scene in that time instead of waiting.
 */
export async function startRenderEngine(canvas: HTMLCanvasElement, request: RendererRequest): Promise<PendingRenderEngine> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu
  let probe: WebGPUProbe = { kind: 'skipped' }
  if (shouldProbeWebGPU(request, gpu !== undefined)) {
    const attempt = await probeWebGPU(canvas, gpu as GpuLike)
    if (attempt.engine !== null) {
      const engine = attempt.engine
      const decision = decideRenderer(request, { kind: 'ok' })
      const ready: RenderEngine = { engine, renderer: decision.renderer, reason: decision.reason, canvas }
      // The grace period runs from the test frame on, whether or not the caller awaits it yet.
      const outcome = Promise.race([attempt.lost, sleep(LOSS_GRACE_MS)]).then(
        () => ready,
        (err: unknown) => {
          disposeQuietly(engine)
          return createWebGL2Engine(replaceCanvas(canvas), request, { kind: 'failed', reason: messageOf(err) })
        },
      )
      outcome.catch(() => undefined)
      return { ...ready, confirmed: () => outcome }
    }
    probe = attempt.probe
    canvas = replaceCanvas(canvas)
  }
  const ready = await createWebGL2Engine(canvas, request, probe)
  return { ...ready, confirmed: () => Promise.resolve(ready) }
}

/** Tries at WebGL2 after WebGPU failed: the GPU process may still be recovering from the lost device. */
const WEBGL2_ATTEMPTS_AFTER_WEBGPU = 4

async function createWebGL2Engine(canvas: HTMLCanvasElement, request: RendererRequest, probe: WebGPUProbe): Promise<RenderEngine> {
  const decision = decideRenderer(request, probe)
  const attempts = probe.kind === 'failed' ? WEBGL2_ATTEMPTS_AFTER_WEBGPU : 1
  for (let attempt = 1; ; attempt++) {
    const engine = new Engine(canvas, true, { preserveDrawingBuffer: false, stencil: true, disableWebGL2Support: false }, true)
    if (engine.webGLVersion >= 2) return { engine, renderer: 'webgl2', reason: decision.reason, canvas }
    engine.dispose()
    if (attempt >= attempts) {
      throw new RendererError(`This browser offers neither WebGPU nor WebGL2 (${decision.reason}). Enable hardware acceleration or use a current Chrome, Edge, Firefox or Safari.`)
    }
    // Right after a lost WebGPU device, Chromium's GPU process can be restarting and hand out only
    // WebGL1 for a moment; a canvas that gave one context type cannot give another, so retry on a fresh one.
    await sleep(250 * attempt)
    canvas = replaceCanvas(canvas)
  }
}

interface WebGPUAttempt {
  probe: WebGPUProbe
  engine: WebGPUEngine | null
  /** Rejects when the device is lost (never resolves otherwise). */
  lost: Promise<never>
}

async function probeWebGPU(canvas: HTMLCanvasElement, gpu: GpuLike): Promise<WebGPUAttempt> {
  const never = new Promise<never>(() => undefined)
  let adapter: unknown
  try {
    adapter = await withTimeout(gpu.requestAdapter(), PROBE_TIMEOUT_MS, 'requestAdapter')
  } catch (err) {
    return { probe: { kind: 'unavailable', reason: messageOf(err) }, engine: null, lost: never }
  }
  if (adapter === null || adapter === undefined) return { probe: { kind: 'unavailable', reason: 'no GPU adapter' }, engine: null, lost: never }

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
    // A lost device is reported asynchronously after the failing submit: the caller gives it a moment.
    return { probe: { kind: 'ok' }, engine, lost }
  } catch (err) {
    if (engine !== null) disposeQuietly(engine)
    return { probe: { kind: 'failed', reason: messageOf(err) }, engine: null, lost: never }
  }
}

function disposeQuietly(engine: AbstractEngine): void {
  try {
    engine.dispose()
  } catch {
    // The engine may be half-built or its device gone; disposing it is best effort before the fallback.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
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
