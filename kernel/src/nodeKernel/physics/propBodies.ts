import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js'
import { PhysicsBody } from '@babylonjs/core/Physics/v2/physicsBody.js'
import { PhysicsShapeBox, PhysicsShapeSphere } from '@babylonjs/core/Physics/v2/physicsShape.js'
import { PhysicsMotionType, PhysicsPrestepType } from '@babylonjs/core/Physics/v2/IPhysicsEnginePlugin.js'
import type { HavokPlugin } from '@babylonjs/core/Physics/v2/Plugins/havokPlugin.js'
import type { Scene } from '@babylonjs/core/scene.js'
import { RESPAWN_BELOW_Y } from './avatarController.js'
import { PROP_STRIDE } from './physicsMessages.js'
import type { PhysicsWorld, PropMode, PropPlacement, PropPoseBatch } from './physicsMessages.js'
import { PropPoseBuffer } from './propPoseBuffer.js'

export { PROP_STRIDE } from './physicsMessages.js'

/** A followed prop further than this from its next pose jumps there rather than sweeping through things. */
const MAX_GLIDE_M = 5
/**
 * Damping of dynamic props, per second. Havok has no rolling resistance: without damping a ball
 * pushed once rolls on across a near-flat field for good, and a goal's kickoff spot never settles.
 */
const LINEAR_DAMPING = 0.3
const ANGULAR_DAMPING = 0.8

interface Prop {
  definition: PhysicsWorld['definition']['props'][number]
  node: TransformNode
  body: PhysicsBody
  /** Teleport counter: bumped here when simulating, taken from the host when following. */
  snap: number
}

/**
 * The world's props as Havok bodies: a box of `size` or a sphere of diameter `size[0]`. Simulating,
 * they are dynamic with their mass (mass 0: static) and a prop that falls out of the world is put
 * back where it started. Following, they are kinematic and move to the host's poses, played back
 * smoothly by a {@link PropPoseBuffer}, so avatars still collide with them.
 */
export class PropBodies {
  private readonly props: Prop[]
  private readonly plugin: HavokPlugin
  private mode: PropMode = 'simulate'
  private follower: PropPoseBuffer | null = null
  private readonly scratch = new Float32Array(PROP_STRIDE)
  private readonly position = new Vector3()
  private readonly rotation = new Quaternion()

  constructor (scene: Scene, definitions: PhysicsWorld['definition']['props'], mode: PropMode = 'simulate', start?: Float32Array) {
    const engine = scene.getPhysicsEngine()
    if (engine === null || engine === undefined) throw new Error('Enable physics on the scene before adding props.')
    this.plugin = engine.getPhysicsPlugin() as HavokPlugin
    if (start !== undefined && start.length !== definitions.length * PROP_STRIDE) {
      throw new Error(`Start poses hold ${start.length} floats; ${definitions.length} props need ${definitions.length * PROP_STRIDE}.`)
    }
    this.props = definitions.map((definition, i) => {
      const node = new TransformNode(definition.id, scene)
      node.position.set(...definition.position)
      node.rotationQuaternion = Quaternion.Identity()
      if (start !== undefined) {
        const o = i * PROP_STRIDE
        node.position.set(start[o] as number, start[o + 1] as number, start[o + 2] as number)
        node.rotationQuaternion.set(start[o + 3] as number, start[o + 4] as number, start[o + 5] as number, start[o + 6] as number)
      }
      const body = new PhysicsBody(node, definition.mass > 0 ? PhysicsMotionType.DYNAMIC : PhysicsMotionType.STATIC, false, scene)
      body.shape = definition.shape === 'box'
        ? new PhysicsShapeBox(Vector3.Zero(), Quaternion.Identity(), new Vector3(...definition.size), scene)
        : new PhysicsShapeSphere(Vector3.Zero(), definition.size[0] / 2, scene)
      if (definition.mass > 0) {
        body.setMassProperties({ mass: definition.mass })
        body.setLinearDamping(LINEAR_DAMPING)
        body.setAngularDamping(ANGULAR_DAMPING)
      }
      // Placements set the body from its node on demand (disablePreStep stays true: not every step).
      body.setPrestepType(PhysicsPrestepType.TELEPORT)
      return { definition, node, body, snap: 0 }
    })
    this.setMode(mode)
  }

  /**
   * Switches who moves the props. Following → simulating (a member that became the host) keeps
   * each prop where it is and with the velocity it was following at, so nothing jumps.
   */
  setMode (mode: PropMode): void {
    if (mode === this.mode) return
    this.mode = mode
    this.follower = mode === 'follow' ? new PropPoseBuffer(this.props.length) : null
    for (const prop of this.props) {
      // Static props stay static while followed until the host moves one (a script's teleport).
      if (prop.definition.mass === 0 && mode === 'follow') continue
      prop.body.setMotionType(mode === 'follow' ? PhysicsMotionType.ANIMATED : motionTypeOf(prop))
      if (mode === 'simulate' && prop.definition.mass > 0) prop.body.setMassProperties({ mass: prop.definition.mass })
    }
  }

  /** Takes the host's poses; ignored unless following. */
  follow (batch: PropPoseBatch): void {
    this.follower?.push(batch)
  }

  /** Puts a prop somewhere at once, at rest unless a velocity is given; the next snapshot says it jumped. */
  place (placement: PropPlacement): void {
    const prop = this.props[placement.index]
    if (prop === undefined) throw new RangeError(`There is no prop ${placement.index}; this world has ${this.props.length}.`)
    const q = this.rotationOf(prop)
    this.teleport(prop, placement.position, placement.rotation ?? [q.x, q.y, q.z, q.w])
    if (prop.body.getMotionType() !== PhysicsMotionType.STATIC) {
      prop.body.setLinearVelocity(placement.velocity === undefined ? Vector3.Zero() : new Vector3(...placement.velocity))
      prop.body.setAngularVelocity(Vector3.Zero())
    }
    prop.snap = (prop.snap + 1) & 0xff
  }

  /** Before a step: followed props head for the host's pose at the playback moment. */
  beforeStep (dt: number): void {
    const follower = this.follower
    if (follower === null) return
    follower.advance(dt)
    const out = this.scratch
    this.props.forEach((prop, i) => {
      const found = follower.sample(i, out)
      if (found === 'none') return
      this.position.set(out[0] as number, out[1] as number, out[2] as number)
      this.rotation.set(out[3] as number, out[4] as number, out[5] as number, out[6] as number)
      if (prop.body.getMotionType() === PhysicsMotionType.STATIC) prop.body.setMotionType(PhysicsMotionType.ANIMATED)
      if (found === 'snap' || Vector3.Distance(prop.node.position, this.position) > MAX_GLIDE_M) {
        this.teleport(prop, [out[0] as number, out[1] as number, out[2] as number], [out[3] as number, out[4] as number, out[5] as number, out[6] as number])
        prop.body.setLinearVelocity(Vector3.Zero())
        prop.body.setAngularVelocity(Vector3.Zero())
      } else {
        prop.body.setTargetTransform(this.position, this.rotation)
      }
      prop.snap = follower.snapOf(i) ?? prop.snap
    })
  }

  /** After a step: a simulated prop that fell out of the world goes back to where it started. */
  afterStep (): void {
    if (this.mode !== 'simulate') return
    this.props.forEach((prop, index) => {
      if (prop.definition.mass > 0 && prop.node.position.y < RESPAWN_BELOW_Y) {
        this.place({ index, position: prop.definition.position, rotation: [0, 0, 0, 1] })
      }
    })
  }

  /** A fresh snapshot of every prop's pose, PROP_STRIDE floats each, in definition order. */
  snapshot (): Float32Array<ArrayBuffer> {
    const out = new Float32Array(this.props.length * PROP_STRIDE)
    this.props.forEach((prop, i) => {
      const p = prop.node.position
      const q = this.rotationOf(prop)
      out.set([p.x, p.y, p.z, q.x, q.y, q.z, q.w], i * PROP_STRIDE)
    })
    return out
  }

  /** Every prop's teleport counter, in definition order. */
  snaps (): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.props, (prop) => prop.snap)
  }

  private teleport (prop: Prop, position: readonly number[], rotation: readonly number[]): void {
    prop.node.position.set(position[0] as number, position[1] as number, position[2] as number)
    this.rotationOf(prop).set(rotation[0] as number, rotation[1] as number, rotation[2] as number, rotation[3] as number)
    this.plugin.setPhysicsBodyTransformation(prop.body, prop.node)
  }

  private rotationOf (prop: Prop): Quaternion {
    prop.node.rotationQuaternion ??= Quaternion.Identity()
    return prop.node.rotationQuaternion
  }
}

function motionTypeOf (prop: Prop): PhysicsMotionType {
  return prop.definition.mass > 0 ? PhysicsMotionType.DYNAMIC : PhysicsMotionType.STATIC
}
