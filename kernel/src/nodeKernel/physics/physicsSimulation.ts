import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js'
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js'
import { HavokPlugin } from '@babylonjs/core/Physics/v2/Plugins/havokPlugin.js'
import { Scene } from '@babylonjs/core/scene.js'
import '@babylonjs/core/Physics/joinedPhysicsEngineComponent.js'
import '@babylonjs/core/Physics/v2/physicsEngineComponent.js'
import type { PhysicsEngine as BabylonPhysicsEngine } from '@babylonjs/core/Physics/v2/physicsEngine.js'
import type { HavokPhysicsWithBindings } from '@babylonjs/havok'
import { sampleHeight } from '@peercompute/world-sdk'
import { AvatarController } from './avatarController.js'
import { PropBodies } from './propBodies.js'
import { createTerrainBody } from './terrainBody.js'
import type { AvatarPose, MovementInput, PhysicsWorld } from './physicsMessages.js'

/** How far above the ground (or the spawn point, whichever is higher) the avatar's feet start. */
const SPAWN_CLEARANCE = 0.05

/**
 * One world's physics: a Babylon NullEngine scene (no rendering, no DOM) with Havok, the terrain,
 * the props and the local avatar. Stepped from outside at a fixed time step.
 */
export class PhysicsSimulation {
  private readonly engine: NullEngine
  private readonly scene: Scene
  private readonly physics: BabylonPhysicsEngine
  private readonly props: PropBodies
  private readonly avatar: AvatarController

  constructor (havok: HavokPhysicsWithBindings, world: PhysicsWorld) {
    const { terrain, spawn } = world.definition
    this.engine = new NullEngine()
    this.scene = new Scene(this.engine)
    this.scene.enablePhysics(new Vector3(0, world.rules.physics.gravity, 0), new HavokPlugin(true, havok))
    this.physics = this.scene.getPhysicsEngine() as BabylonPhysicsEngine

    createTerrainBody(this.scene, terrain, world.heights)
    this.props = new PropBodies(this.scene, world.definition.props)
    const ground = sampleHeight(world.heights, terrain, spawn[0], spawn[2])
    const feet = new Vector3(spawn[0], Math.max(spawn[1], ground) + SPAWN_CLEARANCE, spawn[2])
    this.avatar = new AvatarController(this.scene, feet, world.rules.movement, world.rules.physics.gravity)
  }

  /** Advances the world by `dt` seconds: bodies first, then the avatar against where they now are. */
  step (dt: number, input: MovementInput): void {
    this.physics._step(dt)
    this.avatar.step(dt, input)
  }

  avatarPose (): AvatarPose {
    return this.avatar.pose()
  }

  propsSnapshot (): Float32Array<ArrayBuffer> {
    return this.props.snapshot()
  }

  dispose (): void {
    this.avatar.dispose()
    this.scene.dispose()
    this.engine.dispose()
  }
}
