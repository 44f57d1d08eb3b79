import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js'
import { PhysicsBody } from '@babylonjs/core/Physics/v2/physicsBody.js'
import { PhysicsShapeCapsule } from '@babylonjs/core/Physics/v2/physicsShape.js'
import { PhysicsMotionType, PhysicsPrestepType } from '@babylonjs/core/Physics/v2/IPhysicsEnginePlugin.js'
import type { HavokPlugin } from '@babylonjs/core/Physics/v2/Plugins/havokPlugin.js'
import type { Scene } from '@babylonjs/core/scene.js'
import { AVATAR_HEIGHT, AVATAR_RADIUS } from './avatarController.js'
import type { RemoteAvatar } from './physicsMessages.js'

/**
 * How much wider than a player's own capsule the host's copy of it is, m. A member's character
 * controller stops up to 12 cm short of a prop it sees (its keepDistance plus Babylon's
 * keepContactTolerance, 0.1), and there the prop is kinematic: a copy of the same size would never
 * touch the prop on the host, and a member standing against it could never push it.
 */
export const PUSH_REACH = 0.15
/** Longest stretch a presence sample is carried on by its velocity, s (presence comes at 20 Hz). */
const MAX_EXTRAPOLATE_S = 0.1
/** A copy further than this from its player's pose jumps there (a respawn, a portal) instead of sweeping. */
const MAX_GLIDE_M = 3
/**
 * A copy moves at most this many times the world's run speed. Presence comes in bursts when a
 * host is busy; a kinematic body sent straight to a pose 40 cm on moves at 24 m/s for one step and
 * launches whatever it touches (it pushes with unlimited force).
 */
const SPEED_MARGIN = 1.5

interface Copy {
  node: TransformNode
  body: PhysicsBody
  feet: Vector3
  velocity: Vector3
  age: number
}

/**
 * Other players' avatars in the host's simulation: kinematic capsules posed from presence, so any
 * player's avatar pushes the world's props on the host, which alone simulates them.
 */
export class RemoteAvatarBodies {
  private readonly copies = new Map<string, Copy>()
  private readonly plugin: HavokPlugin
  private readonly target = new Vector3()
  private readonly step = new Vector3()
  private readonly upright = Quaternion.Identity()
  private readonly maxSpeed: number

  /** `runSpeed`: the world's fastest avatar speed, m/s (rules.movement.runSpeed). */
  constructor (private readonly scene: Scene, runSpeed: number) {
    this.maxSpeed = Math.max(1, runSpeed) * SPEED_MARGIN
    const engine = scene.getPhysicsEngine()
    if (engine === null || engine === undefined) throw new Error('Enable physics on the scene before adding avatars.')
    this.plugin = engine.getPhysicsPlugin() as HavokPlugin
  }

  /** Replaces the set of players: new ones appear at their pose, missing ones are removed. */
  set (avatars: readonly RemoteAvatar[]): void {
    const seen = new Set<string>()
    for (const avatar of avatars) {
      seen.add(avatar.id)
      const copy = this.copies.get(avatar.id) ?? this.add(avatar)
      copy.feet.set(...avatar.position)
      copy.velocity.set(...avatar.velocity)
      copy.age = avatar.age
    }
    for (const [id, copy] of this.copies) {
      if (seen.has(id)) continue
      copy.body.dispose()
      copy.node.dispose()
      this.copies.delete(id)
    }
  }

  /** Before a step: each copy heads for its player's pose, carried on briefly by its velocity, no faster than a player runs. */
  beforeStep (dt: number): void {
    for (const copy of this.copies.values()) {
      copy.age += dt
      this.centreOf(copy, this.target)
      const distance = Vector3.Distance(copy.node.position, this.target)
      if (distance > MAX_GLIDE_M) {
        copy.node.position.copyFrom(this.target)
        this.plugin.setPhysicsBodyTransformation(copy.body, copy.node)
        continue
      }
      const reach = this.maxSpeed * dt
      if (distance > reach) {
        this.target.subtractToRef(copy.node.position, this.step).scaleInPlace(reach / distance)
        copy.node.position.addToRef(this.step, this.target)
      }
      copy.body.setTargetTransform(this.target, this.upright)
    }
  }

  /** Players posed now. */
  size (): number {
    return this.copies.size
  }

  private add (avatar: RemoteAvatar): Copy {
    const node = new TransformNode(`avatar-${avatar.id}`, this.scene)
    node.rotationQuaternion = Quaternion.Identity()
    node.position.set(avatar.position[0], avatar.position[1] + AVATAR_HEIGHT / 2, avatar.position[2])
    const radius = AVATAR_RADIUS + PUSH_REACH
    const half = AVATAR_HEIGHT / 2 - radius
    const body = new PhysicsBody(node, PhysicsMotionType.ANIMATED, false, this.scene)
    body.shape = new PhysicsShapeCapsule(new Vector3(0, -half, 0), new Vector3(0, half, 0), radius, this.scene)
    body.setPrestepType(PhysicsPrestepType.TELEPORT)
    const copy: Copy = { node, body, feet: new Vector3(...avatar.position), velocity: new Vector3(...avatar.velocity), age: avatar.age }
    this.copies.set(avatar.id, copy)
    return copy
  }

  private centreOf (copy: Copy, out: Vector3): void {
    const ahead = Math.min(copy.age, MAX_EXTRAPOLATE_S)
    out.set(
      copy.feet.x + copy.velocity.x * ahead,
      copy.feet.y + copy.velocity.y * ahead + AVATAR_HEIGHT / 2,
      copy.feet.z + copy.velocity.z * ahead
    )
  }
}
