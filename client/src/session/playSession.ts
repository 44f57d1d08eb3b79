import type { AbstractEngine } from '@babylonjs/core/Engines/abstractEngine.js'
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import type { WorldDefinition } from '@peercompute/world-sdk'
import { sampleHeight } from '@peercompute/world-sdk'
import { ChatBox } from '../hud/chatBox.js'
import { Hud } from '../hud/hud.js'
import { PlayerControls } from '../input/playerControls.js'
import type { KernelView } from '../node/kernelView.js'
import { avatarColor, createAvatarMesh } from '../render/avatarMesh.js'
import type { Renderer } from '../render/engineChoice.js'
import { PropsView } from '../render/propsView.js'
import { QUALITY_LEVELS, QualityGovernor } from '../render/qualityGovernor.js'
import { RemoteAvatars } from '../render/remoteAvatars.js'
import { ThirdPersonCamera } from '../render/thirdPersonCamera.js'
import { createWorldScene, followWithSun } from '../render/worldScene.js'
import { FIRST_FRAME_MARK } from './firstFrameMark.js'

/** What a play session draws and drives. */
export interface PlaySessionInit {
  engine: AbstractEngine
  renderer: Renderer
  canvas: HTMLCanvasElement
  kernel: KernelView
  worldName: string
  definition: WorldDefinition
  heights: Float32Array
  chatMaxLength: number
}

/** How often the HUD refreshes and the render figures go to the kernel. */
const HUD_INTERVAL_MS = 250
const REPORT_INTERVAL_MS = 1000

/** The clock presence samples are stamped with (ms since the epoch), with sub-millisecond steps. */
const epochNow = (): number => performance.timeOrigin + performance.now()

/**
 * The running game: the scene, the local avatar driven by physics, remote avatars interpolated
 * from presence, props, camera, input, HUD and chat, bound to the node through a KernelView.
 * Rendering runs at the screen's rate; physics steps at its own fixed rate in the worker.
 */
export function startPlaySession(init: PlaySessionInit): { stop: () => void } {
  const { engine, kernel, definition, heights } = init
  const world = createWorldScene(engine, definition, heights)
  const props = new PropsView(world, definition.props)
  const groundAt = (x: number, z: number): number => sampleHeight(heights, definition.terrain, x, z)
  const camera = new ThirdPersonCamera(world.scene, groundAt)
  world.scene.activeCamera = camera.camera
  // The same colour others give this player (from the peerId), so everyone agrees who is who.
  const self = createAvatarMesh(world.scene, 'self', avatarColor(kernel.selfId()))
  world.shadows.addShadowCaster(self, true)
  self.position.set(...definition.spawn)

  const overlay = document.body
  const tagLayer = document.createElement('div')
  tagLayer.id = 'tags'
  overlay.append(tagLayer)
  const remotes = new RemoteAvatars(world, tagLayer)
  const controls = new PlayerControls(init.canvas)
  const hud = new Hud(overlay)
  const chat = new ChatBox(overlay, kernel.selfId(), (text) => kernel.sendChat(text), (typing) => controls.setEnabled(!typing), init.chatMaxLength)

  const quality = new QualityGovernor(performance.now())
  // adaptToDeviceRatio starts below 1 on high-DPI screens; quality steps scale from there.
  const baseScaling = engine.getHardwareScalingLevel()
  let chatDirty = true
  const offChat = kernel.onChat(() => {
    chatDirty = true
  })
  let lastHud = 0
  let lastReport = 0
  let firstFrameMarked = false
  const focus = new Vector3()
  const frame = (): void => {
    const dt = Math.min(0.1, engine.getDeltaTime() / 1000)
    const intent = controls.poll(dt)
    kernel.setMovement(intent, controls.pitch)

    const pose = kernel.avatar()
    const feet = pose?.position ?? definition.spawn
    self.position.set(...feet)
    self.rotation.y = controls.yaw
    props.update(kernel.props())

    const now = epochNow()
    remotes.ingest(kernel.remotePlayers(), now)
    camera.update(feet, controls.yaw, controls.pitch, dt)
    focus.set(feet[0], feet[1], feet[2])
    followWithSun(world, focus)
    remotes.pose(now)
    world.scene.render()
    if (!firstFrameMarked) {
      firstFrameMarked = true
      performance.mark(FIRST_FRAME_MARK)
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
    if (wall - lastReport >= REPORT_INTERVAL_MS) {
      lastReport = wall
      kernel.reportRender({ renderer: init.renderer, fps: engine.getFps() })
    }
    if (wall - lastHud >= HUD_INTERVAL_MS) {
      lastHud = wall
      const status = kernel.status()
      hud.update({
        worldName: init.worldName,
        renderer: init.renderer,
        fps: engine.getFps(),
        pingMs: status.pingMs,
        peers: status.peers,
        players: status.players.length,
      })
      if (chatDirty) {
        chatDirty = false
        chat.show(kernel.chatLines())
      }
    }
  }
  engine.runRenderLoop(frame)
  const onResize = (): void => engine.resize()
  window.addEventListener('resize', onResize)

  return {
    stop: () => {
      engine.stopRenderLoop(frame)
      window.removeEventListener('resize', onResize)
      offChat()
      controls.dispose()
      chat.dispose()
      remotes.dispose()
      tagLayer.remove()
      world.scene.dispose()
    },
  }
}
