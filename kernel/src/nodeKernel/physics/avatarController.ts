import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import { CharacterSupportedState, PhysicsCharacterController } from '@babylonjs/core/Physics/v2/characterController.js'
import type { CharacterSurfaceInfo } from '@babylonjs/core/Physics/v2/characterController.js'
import type { Scene } from '@babylonjs/core/scene.js'
import type { AvatarPose, MovementInput, PhysicsWorld } from './physicsMessages.js'

/** Capsule height of every avatar, metres (feet to top of the head). */
export const AVATAR_HEIGHT = 1.8
/** Capsule radius of every avatar, metres. */
export const AVATAR_RADIUS = 0.35
/** Below this height an avatar has fallen out of the world and goes back to the spawn. */
export const RESPAWN_BELOW_Y = -50
/** Kerbs and stairs up to this height are stepped onto; taller things (a crate) are pushed. */
const MAX_STEP_HEIGHT = 0.3
/** Share of the gap to the wanted velocity closed each step (Babylon's 0.05 feels like ice and barely pushes). */
const ACCELERATION = 0.2
/** Most force the avatar pushes with, N: a 10 kg crate slides, a boulder does not. */
const PUSH_STRENGTH = 500
/** Skin the controller keeps from surfaces, m; Babylon's 0.05 leaves the feet visibly floating. */
const KEEP_DISTANCE = 0.02
/** Weight the avatar puts on what it stands on, kg. */
const AVATAR_MASS = 70
/** After a jump, ground contact is ignored this long so the first steps up are not cancelled. */
const JUMP_LOCK_S = 0.2

const clampUnit = (v: number): number => Math.max(-1, Math.min(1, v))

/**
 * The local avatar: a Havok character controller capsule driven by MovementInput, following
 * Babylon's character controller example (checkSupport → desired velocity → integrate).
 */
export class AvatarController {
  private readonly controller: PhysicsCharacterController
  private readonly gravity: Vector3
  private readonly up = new Vector3(0, 1, 0)
  private readonly down = new Vector3(0, -1, 0)
  private readonly forwardLocal = new Vector3(0, 0, 1)
  private readonly orientation = new Quaternion()
  private grounded = false
  private jumpLock = 0
  private yaw = 0

  constructor (
    scene: Scene,
    private readonly spawnFeet: Vector3,
    private readonly movement: PhysicsWorld['rules']['movement'],
    gravity: number
  ) {
    this.gravity = new Vector3(0, gravity, 0)
    this.controller = new PhysicsCharacterController(
      this.centreOf(spawnFeet),
      { capsuleHeight: AVATAR_HEIGHT, capsuleRadius: AVATAR_RADIUS },
      scene
    )
    this.controller.maxStepHeight = MAX_STEP_HEIGHT
    this.controller.acceleration = ACCELERATION
    this.controller.characterStrength = PUSH_STRENGTH
    this.controller.characterMass = AVATAR_MASS
    this.controller.keepDistance = KEEP_DISTANCE
  }

  /** Advances the avatar by one fixed step; call after the physics world has stepped. */
  step (dt: number, input: MovementInput): void {
    this.yaw = input.yaw
    const support = this.controller.checkSupport(dt, this.down)
    this.jumpLock = Math.max(0, this.jumpLock - dt)
    this.grounded = this.jumpLock === 0 && support.supportedState === CharacterSupportedState.SUPPORTED

    Quaternion.RotationYawPitchRollToRef(input.yaw, 0, 0, this.orientation)
    const wish = new Vector3(clampUnit(input.right), 0, clampUnit(input.forward))
    if (wish.lengthSquared() > 1) wish.normalize()
    const speed = input.run ? this.movement.runSpeed : this.movement.walkSpeed
    const desired = wish.scaleInPlace(speed).applyRotationQuaternionInPlace(this.orientation)

    let velocity = this.grounded ? this.groundVelocity(dt, support, desired) : this.airVelocity(dt, desired)
    if (this.grounded && input.jump) {
      velocity = velocity.add(this.up.scale(this.movement.jumpSpeed - velocity.dot(this.up)))
      this.grounded = false
      this.jumpLock = JUMP_LOCK_S
    }
    this.controller.setVelocity(velocity)
    this.controller.integrate(dt, support, this.gravity)

    if (this.controller.getPosition().y - AVATAR_HEIGHT / 2 < RESPAWN_BELOW_Y) this.respawn()
  }

  /** The pose after the latest step; `position` is the feet. */
  pose (): AvatarPose {
    const p = this.controller.getPosition()
    const v = this.controller.getVelocity()
    return {
      position: [p.x, p.y - AVATAR_HEIGHT / 2, p.z],
      velocity: [v.x, v.y, v.z],
      yaw: this.yaw,
      grounded: this.grounded
    }
  }

  /** Puts the avatar back at the world's spawn, at rest. */
  respawn (): void {
    this.controller.setPosition(this.centreOf(this.spawnFeet))
    this.controller.setVelocity(Vector3.Zero())
    this.jumpLock = 0
  }

  dispose (): void {
    this.controller.dispose()
  }

  private centreOf (feet: Vector3): Vector3 {
    return feet.add(new Vector3(0, AVATAR_HEIGHT / 2, 0))
  }

  /** Move along the surface we stand on, re-projected so slopes do not slow or launch us. */
  private groundVelocity (dt: number, support: CharacterSurfaceInfo, desired: Vector3): Vector3 {
    const forward = this.forwardLocal.applyRotationQuaternion(this.orientation)
    const out = this.controller.calculateMovement(dt, forward, support.averageSurfaceNormal,
      this.controller.getVelocity(), support.averageSurfaceVelocity, desired, this.up)
    out.subtractInPlace(support.averageSurfaceVelocity)
    if (out.dot(this.up) > 1e-3) {
      const length = out.length()
      out.normalizeFromLength(length)
      const horizontal = length / support.averageSurfaceNormal.dot(this.up)
      const side = support.averageSurfaceNormal.cross(out)
      out.copyFrom(side.cross(this.up)).scaleInPlace(horizontal)
    }
    return out.addInPlace(support.averageSurfaceVelocity)
  }

  /** Steer in the air but keep the vertical speed, then add gravity. */
  private airVelocity (dt: number, desired: Vector3): Vector3 {
    const current = this.controller.getVelocity()
    const forward = this.forwardLocal.applyRotationQuaternion(this.orientation)
    const out = this.controller.calculateMovement(dt, forward, this.up, current, Vector3.ZeroReadOnly, desired, this.up)
    out.addInPlace(this.up.scale(current.dot(this.up) - out.dot(this.up)))
    return out.addInPlace(this.gravity.scale(dt))
  }
}
