import type { Mesh } from '@babylonjs/core/Meshes/mesh.js'
import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import type { Scene } from '@babylonjs/core/scene.js'
import type { Camera } from '@babylonjs/core/Cameras/camera.js'
import { InterpolationBuffer, type PresenceSample } from './interpolation.js'
import { AVATAR_HEIGHT, avatarColor, createAvatarMesh } from './avatarMesh.js'
import type { WorldScene } from './worldScene.js'

/** One remote player's latest presence as the kernel holds it. */
export interface RemotePresence extends PresenceSample {
  peerId: string
  name: string
  /** Our clock (ms since the epoch) when the sample arrived; the frame time when unknown. */
  receivedAt?: number
}

interface RemoteAvatar {
  mesh: Mesh
  tag: HTMLDivElement
  buffer: InterpolationBuffer
  name: string
}

/**
 * Other players: a capsule and an HTML name tag each, drawn ~100 ms in the past and interpolated
 * between presence samples (see InterpolationBuffer), created when a player appears and disposed
 * when they leave.
 */
export class RemoteAvatars {
  private readonly avatars = new Map<string, RemoteAvatar>()
  private readonly projected = new Vector3()
  private readonly head = new Vector3()

  constructor(
    private readonly world: WorldScene,
    private readonly tagLayer: HTMLElement,
  ) {}

  /** Feeds the current presence (call every frame; repeated samples are ignored); `receivedAt` is now (ms since the epoch). */
  ingest(players: readonly RemotePresence[], receivedAt: number): void {
    const seen = new Set<string>()
    for (const player of players) {
      seen.add(player.peerId)
      let avatar = this.avatars.get(player.peerId)
      if (avatar === undefined) {
        avatar = this.create(player)
        this.avatars.set(player.peerId, avatar)
      }
      if (avatar.name !== player.name) {
        avatar.name = player.name
        avatar.tag.textContent = player.name
      }
      if (avatar.buffer.newestTime() !== player.t) avatar.buffer.push(player, player.receivedAt ?? receivedAt)
    }
    for (const [peerId, avatar] of this.avatars) {
      if (!seen.has(peerId)) {
        avatar.mesh.dispose(false, true)
        avatar.tag.remove()
        this.avatars.delete(peerId)
      }
    }
  }

  /** Poses every avatar for local time `now` (ms since the epoch); call before the scene renders. */
  pose(now: number): void {
    for (const avatar of this.avatars.values()) {
      const pose = avatar.buffer.sampleAt(now)
      avatar.mesh.setEnabled(pose !== null)
      if (pose === null) continue
      avatar.mesh.position.set(...pose.position)
      avatar.mesh.rotation.y = pose.yaw
    }
  }

  /** Moves the name tags over the heads; call after the scene rendered (its matrices are current). */
  placeTags(scene: Scene, camera: Camera): void {
    const engine = scene.getEngine()
    const width = engine.getRenderWidth()
    const height = engine.getRenderHeight()
    const viewport = camera.viewport.toGlobal(width, height)
    const transform = scene.getTransformMatrix()
    const scaleX = this.tagLayer.clientWidth / width
    const scaleY = this.tagLayer.clientHeight / height
    for (const avatar of this.avatars.values()) {
      const p = avatar.mesh.position
      this.head.set(p.x, p.y + AVATAR_HEIGHT + 0.35, p.z)
      Vector3.ProjectToRef(this.head, Matrix.IdentityReadOnly, transform, viewport, this.projected)
      const visible = avatar.mesh.isEnabled() && this.projected.z > 0 && this.projected.z < 1
      avatar.tag.style.display = visible ? '' : 'none'
      if (visible) {
        avatar.tag.style.transform = `translate(${(this.projected.x * scaleX).toFixed(1)}px, ${(this.projected.y * scaleY).toFixed(1)}px) translate(-50%, -100%)`
      }
    }
  }

  /** Number of remote avatars shown. */
  count(): number {
    return this.avatars.size
  }

  /** Removes every avatar and tag. */
  dispose(): void {
    this.ingest([], 0)
  }

  private create(player: RemotePresence): RemoteAvatar {
    const mesh = createAvatarMesh(this.world.scene, `remote-${player.peerId}`, avatarColor(player.peerId))
    this.world.shadows.addShadowCaster(mesh, true)
    const tag = document.createElement('div')
    tag.className = 'tag'
    tag.textContent = player.name
    this.tagLayer.append(tag)
    return { mesh, tag, buffer: new InterpolationBuffer({ delayMs: 100 }), name: player.name }
  }
}
