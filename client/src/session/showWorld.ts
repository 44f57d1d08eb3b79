import type { LoadedWorld } from '@peercompute/kernel'
import { markBoot } from '../boot/bootMarks.js'
import type { RendererRequest } from '../boot/urlOptions.js'
import { loadedWorld } from '../bundle/loadedWorld.js'
import type { LoadedBundle } from '../bundle/loadWorldBundle.js'
import { startRenderEngine, type RenderEngine } from '../render/createRenderEngine.js'
import type { Renderer } from '../render/engineChoice.js'
import type { PlaySession } from './playSession.js'

/** What {@link showWorld} needs. */
export interface ShowWorldInit {
  /** A bundle that verified and is not a rollback. */
  bundle: LoadedBundle
  request: RendererRequest
  /** Called once the first frame is drawn. */
  onFirstFrame: () => void
  /** Called when drawing a frame threw (the session stopped drawing). */
  onDrawError: (err: unknown) => void
  /** Told what is being done, for the error panel's "Could not …" line. */
  onStep?: (step: 'start the renderer' | 'start the world') => void
}

/** The world on screen: its session (not yet bound to a node) and what it draws with. */
export interface ShownWorld {
  world: LoadedWorld
  session: PlaySession
  renderer: Renderer
  reason: string
  canvas: HTMLCanvasElement
  /**
   * Builds and starts drawing a session for another world on the same engine (the caller stops
   * the current session first and attaches the new one to the node).
   */
  showAnother(world: LoadedWorld): PlaySession
}

/**
 * Puts a verified world on screen as fast as the renderer allows, before any node exists: adds
 * the canvas, starts the engine, and while the GPU sets it up, makes the terrain and loads the
 * scene code; then builds the scene during WebGPU's grace period for a late device loss
 * (rebuilding it on WebGL2 if the device was lost) and starts drawing, the avatar at its spawn.
 */
export async function showWorld(init: ShowWorldInit): Promise<ShownWorld> {
  init.onStep?.('start the renderer')
  const canvas = createSceneCanvas()
  const starting = startRenderEngine(canvas, init.request)
  starting.catch(() => undefined)
  const world = loadedWorld(init.bundle)
  const { startPlaySession, prepareWorldScene } = await import('./playSession.js')
  const sceneData = prepareWorldScene(world.definition, world.heights)
  const pending = await starting
  markBoot('renderer')

  init.onStep?.('start the world')
  const sessionFor = (render: RenderEngine, shown = world, data = sceneData, onFirstFrame: (() => void) | undefined = init.onFirstFrame): PlaySession =>
    startPlaySession({
      engine: render.engine,
      renderer: render.renderer,
      canvas: render.canvas,
      worldName: shown.name,
      definition: shown.definition,
      heights: shown.heights,
      sceneData: data,
      chatMaxLength: shown.rules.chat.maxLength,
      onFirstFrame,
      onError: init.onDrawError,
    })
  let session = sessionFor(pending)
  try {
    const render = await pending.confirmed()
    if (render.engine !== pending.engine) {
      try {
        session.stop()
      } catch {
        // The lost engine was disposed with its scene; what is left of the session goes with the page.
      }
      session = sessionFor(render)
    }
    session.draw()
    const showAnother = (next: LoadedWorld): PlaySession => {
      const another = sessionFor(render, next, prepareWorldScene(next.definition, next.heights), undefined)
      another.draw()
      return another
    }
    return { world, session, renderer: render.renderer, reason: render.reason, canvas: render.canvas, showAnother }
  } catch (err) {
    session.stop()
    throw err
  }
}

/** The 3D view's canvas, added to the stage only once the bundle is verified. */
function createSceneCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas')
  canvas.id = 'scene'
  canvas.tabIndex = 0
  canvas.setAttribute('aria-label', '3D world view')
  ;(document.getElementById('stage') as HTMLElement).append(canvas)
  return canvas
}
