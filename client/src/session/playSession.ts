import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js'
import type { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js'
import { Color3 } from '@babylonjs/core/Maths/math.color.js'
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import type { WorldDefinition } from '@peercompute/world-sdk'
import { sampleHeight } from '@peercompute/world-sdk'
import { markBoot } from '../boot/bootMarks.js'
import { ChatBox } from '../hud/chatBox.js'
import { Hud } from '../hud/hud.js'
import { PlayerControls } from '../input/playerControls.js'
import type { KernelView } from '../node/kernelView.js'
import { avatarColor, createAvatarMesh } from '../render/avatarMesh.js'
import type { Renderer } from '../render/engineChoice.js'
import { createPortalsView } from '../render/portalsView.js'
import { PropsView } from '../render/propsView.js'
import { QUALITY_LEVELS, QualityGovernor } from '../render/qualityGovernor.js'
import { RemoteAvatars } from '../render/remoteAvatars.js'
import { ThirdPersonCamera } from '../render/thirdPersonCamera.js'
import { createWorldScene, followWithSun, type WorldSceneData } from '../render/worldScene.js'
import { PortalWatch } from '../worlds/portalWatch.js'
import { FIRST_FRAME_MARK, WORLD_VISIBLE_MARK } from './firstFrameMark.js'

// The boot prepares the scene's data while the GPU starts; it loads this module for both.
export { prepareWorldScene } from '../render/worldScene.js'

/** What a play session draws and drives. */
export interface PlaySessionInit {
  engine: AbstractEngine
  renderer: Renderer
  canvas: HTMLCanvasElement
  worldName: string
  definition: WorldDefinition
  heights: Float32Array
  /** From `prepareWorldScene(definition, heights)`. */
  sceneData: WorldSceneData
  chatMaxLength: number
  /** Called once, right after the first frame was drawn. */
  onFirstFrame?: () => void
  /** Called when drawing a frame threw; the session has stopped drawing. @default console.error */
  onError?: (err: unknown) => void
}

/** A play session: its scene is built; it draws once {@link PlaySession.draw} is called. */
export interface PlaySession {
  /** Starts the render loop (the first frame comes with the next animation frame). */
  draw(): void
  /**
   * Binds the node once it runs: from then on the avatar follows physics, remote players and
   * chat appear, and the HUD shows the network. Until then the world is drawn with the avatar at
   * the spawn point. Call once.
   */
  attach(kernel: KernelView): void
  /** Who is told when the avatar walks into one of the world's portals (the world it leads to); null: nobody. */
  onPortal(handler: ((world: string) => void) | null): void
  /** Stops drawing and removes everything the session added to the page (and the scene). */
  stop(): void
}

/** How often the HUD refreshes and the render figures go to the kernel. */
const HUD_INTERVAL_MS = 250
const REPORT_INTERVAL_MS = 1000
/** The avatar's colour until the node knows its peerId (the colour others will see comes from it). */
const UNKNOWN_SELF_COLOR = new Color3(0.7, 0.72, 0.78)

/** The clock presence samples are stamped with (ms since the epoch), with sub-millisecond steps. */
const epochNow = (): number => performance.timeOrigin + performance.now()

/**
 * The running game: the scene, the local avatar driven by physics, remote avatars interpolated
 * from presence, props, camera, input, HUD and chat, bound to the node through a KernelView.
 * Rendering runs at the screen's rate; physics steps at its own fixed rate in the worker.
 * The scene is built at once and draws, after `draw()`, before the node exists (the first frame
 * waits for neither libp2p nor Havok); {@link PlaySession.attach} binds the node when it is ready.
 */
export function startPlaySession(init: PlaySessionInit): PlaySession {
  const { engine, definition, heights } = init
  const world = createWorldScene(engine, definition, init.sceneData)
  const props = new PropsView(world, definition.props)
  createPortalsView(world, definition.portals ?? [])
  const portals = new PortalWatch(definition.portals ?? [], definition.spawn)
  const groundAt = (x: number, z: number): number => sampleHeight(heights, definition.terrain, x, z)
  const camera = new ThirdPersonCamera(world.scene, groundAt)
  world.scene.activeCamera = camera.camera
  const self = createAvatarMesh(world.scene, 'self', UNKNOWN_SELF_COLOR)
  world.shadows.addShadowCaster(self, true)
  self.position.set(...definition.spawn)
  markBoot('scene-built')

  const overlay = document.body
  const tagLayer = document.createElement('div')
  tagLayer.id = 'tags'
  overlay.append(tagLayer)
  const remotes = new RemoteAvatars(world, tagLayer)
  // What the world's script shows everyone (a scoreboard): its entities' texts, top centre.
  const board = document.createElement('div')
  board.id = 'world-board'
  board.dataset.testid = 'world-board'
  board.style.cssText = 'position:fixed;top:12px;left:50%;transform:translateX(-50%);pointer-events:none;' +
    'font:600 18px system-ui,sans-serif;color:#fff;text-shadow:0 1px 3px #000;text-align:center;white-space:pre-line'
  overlay.append(board)
  const controls = new PlayerControls(init.canvas)
  const hud = new Hud(overlay)

  let kernel: KernelView | null = null
  let chat: ChatBox | null = null
  let offChat = (): void => undefined
  let chatDirty = true

  const quality = new QualityGovernor(performance.now())
  // adaptToDeviceRatio starts below 1 on high-DPI screens; quality steps scale from there.
  const baseScaling = engine.getHardwareScalingLevel()
  let lastHud = 0
  let lastReport = 0
  let firstFrameMarked = false
  let visibleMarked = false
  const focus = new Vector3()
  const frame = (): void => {
    const dt = Math.min(0.1, engine.getDeltaTime() / 1000)
    const intent = controls.poll(dt)
    kernel?.setMovement(intent, controls.pitch)

    const pose = kernel?.avatar() ?? null
    const feet = pose?.position ?? definition.spawn
    self.position.set(...feet)
    if (pose !== null) portals.update(feet)
    self.rotation.y = controls.yaw
    props.update(kernel?.props() ?? null, performance.now())

    const now = epochNow()
    remotes.ingest(kernel?.remotePlayers() ?? [], now)
    camera.update(feet, controls.yaw, controls.pitch, dt)
    focus.set(feet[0], feet[1], feet[2])
    followWithSun(world, focus)
    remotes.pose(now)
    world.scene.render()
    if (!firstFrameMarked) {
      firstFrameMarked = true
      performance.mark(FIRST_FRAME_MARK)
      init.onFirstFrame?.()
    }
    if (!visibleMarked && world.scene.isReady()) {
      visibleMarked = true
      performance.mark(WORLD_VISIBLE_MARK)
    }
    remotes.placeTags(world.scene, camera.camera)

    const wall = performance.now()
    const step = quality.frame(wall)
    if (step !== null) {
      const level = QUALITY_LEVELS[step] as (typeof QUALITY_LEVELS)[number]
      // Resizing inside a frame destroys textures the frame still submits (WebGPU); do it between frames.
      setTimeout(() => {
        engine.setHardwareScalingLevel(baseScaling * level.scaling)
        world.sun.shadowEnabled = level.shadows
      }, 0)
      console.info(`[peercompute] frame rate low: rendering at 1/${level.scaling} resolution, shadows ${level.shadows ? 'on' : 'off'}`)
    }
    if (kernel !== null && wall - lastReport >= REPORT_INTERVAL_MS) {
      lastReport = wall
      kernel.reportRender({ renderer: init.renderer, fps: engine.getFps() })
    }
    if (wall - lastHud >= HUD_INTERVAL_MS) {
      lastHud = wall
      const status = kernel?.status() ?? null
      hud.update({
        worldName: init.worldName,
        renderer: init.renderer,
        fps: engine.getFps(),
        pingMs: status?.pingMs ?? null,
        peers: status?.peers ?? null,
        players: status?.players.length ?? null,
      })
      const texts = kernel?.worldTexts().join('\n') ?? ''
      if (board.textContent !== texts) board.textContent = texts
      if (chat !== null && kernel !== null && chatDirty) {
        chatDirty = false
        chat.show(kernel.chatLines())
      }
    }
  }
  // A frame that throws would throw again next time: stop drawing and say so once.
  const safeFrame = (): void => {
    try {
      frame()
    } catch (err) {
      engine.stopRenderLoop(safeFrame)
      ;(init.onError ?? console.error)(err)
    }
  }
  const onResize = (): void => engine.resize()
  let drawing = false

  return {
    draw: () => {
      if (drawing) return
      drawing = true
      engine.runRenderLoop(safeFrame)
      window.addEventListener('resize', onResize)
    },
    attach: (view) => {
      if (kernel !== null) throw new Error('The play session is already bound to a node.')
      kernel = view
      // The same colour others give this player (from the peerId), so everyone agrees who is who.
      ;(self.material as StandardMaterial).diffuseColor = avatarColor(view.selfId())
      chat = new ChatBox(overlay, view.selfId(), (text) => view.sendChat(text), (typing) => controls.setEnabled(!typing), init.chatMaxLength)
      offChat = view.onChat(() => {
        chatDirty = true
      })
      lastHud = 0
      // The renderer is known now: the status must say so from the moment the node runs, not a
      // report interval later (tests and the HUD read it as soon as data-state is 'running').
      view.reportRender({ renderer: init.renderer, fps: engine.getFps() })
    },
    onPortal: (handler) => {
      portals.onEnter(handler === null ? null : (portal) => handler(portal.world))
    },
    stop: () => {
      portals.onEnter(null)
      engine.stopRenderLoop(safeFrame)
      window.removeEventListener('resize', onResize)
      offChat()
      controls.dispose()
      chat?.dispose()
      hud.dispose()
      remotes.dispose()
      tagLayer.remove()
      board.remove()
      world.scene.dispose()
    },
  }
}
