import { TargetCamera } from '@babylonjs/core/Cameras/targetCamera.js'
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import type { Scene } from '@babylonjs/core/scene.js'

/** Pitch limits, radians: from slightly below the horizon to nearly straight down. */
export const MIN_PITCH = -0.35
export const MAX_PITCH = 1.25

/**
 * A camera behind and above the avatar, looking where the player looks: `yaw` is the avatar's
 * heading (0 faces +Z), `pitch` tilts the view down. It never goes under the terrain.
 */
export class ThirdPersonCamera {
  readonly camera: TargetCamera
  private readonly target = new Vector3()
  private readonly eye = new Vector3()
  private initialised = false

  constructor(
    scene: Scene,
    private readonly groundAt: (x: number, z: number) => number,
    private readonly distance = 6,
  ) {
    this.camera = new TargetCamera('player-camera', new Vector3(0, 5, -10), scene)
    this.camera.minZ = 0.1
    this.camera.maxZ = 1000
    this.camera.fov = 1.0
  }

  /** Moves the camera for this frame; `dt` in seconds smooths the follow. */
  update(feet: readonly [number, number, number], yaw: number, pitch: number, dt: number): void {
    const clamped = Math.min(MAX_PITCH, Math.max(MIN_PITCH, pitch))
    this.target.set(feet[0], feet[1] + 1.6, feet[2])
    const back = Math.cos(clamped) * this.distance
    const ex = this.target.x - Math.sin(yaw) * back
    const ez = this.target.z - Math.cos(yaw) * back
    const ey = Math.max(this.target.y + Math.sin(clamped) * this.distance, this.groundAt(ex, ez) + 0.4)
    if (!this.initialised) {
      this.eye.set(ex, ey, ez)
      this.initialised = true
    } else {
      // Critically damped-ish follow: fast enough to feel direct, smooth over physics jitter.
      const k = 1 - Math.exp(-dt * 18)
      this.eye.set(this.eye.x + (ex - this.eye.x) * k, this.eye.y + (ey - this.eye.y) * k, this.eye.z + (ez - this.eye.z) * k)
    }
    this.camera.position.copyFrom(this.eye)
    this.camera.setTarget(this.target)
  }
}
