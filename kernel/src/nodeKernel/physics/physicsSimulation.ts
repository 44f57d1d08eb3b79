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
import { RemoteAvatarBodies } from './remoteAvatarBodies.js'
import { createTerrainBody } from './terrainBody.js'
import type { AvatarPose, MovementInput, PhysicsLoadOptions, PhysicsWorld, PropMode, PropPlacement, PropPoseBatch, RemoteAvatar } from './physicsMessages.js'

/** How far above the ground (or the spawn point, whichever is higher) the avatar's feet start. */
const SPAWN_CLEARANCE = 0.05

/**
 * One world's physics: a Babylon NullEngine scene (no rendering, no DOM) with Havok, the terrain,
 * the props, the local avatar (none on a headless host) and, on a world's host, kinematic copies of
 * the other players' avatars. Stepped from outside at a fixed time step.
 */
export class PhysicsSimulation {
  private readonly engine: NullEngine
  private readonly scene: Scene
  private readonly physics: BabylonPhysicsEngine
  private readonly props: PropBodies
  private readonly avatar: AvatarController | null
  private readonly others: RemoteAvatarBodies

  constructor (havok: HavokPhysicsWithBindings, world: PhysicsWorld, options: PhysicsLoadOptions = {}) {
    const { terrain, spawn } = world.definition
    this.engine = new NullEngine()
    this.scene = new Scene(this.engine)
    this.scene.enablePhysics(new Vector3(0, world.rules.physics.gravity, 0), new HavokPlugin(true, havok))
    this.physics = this.scene.getPhysicsEngine() as BabylonPhysicsEngine

    createTerrainBody(this.scene, terrain, world.heights)
    this.props = new PropBodies(this.scene, world.definition.props, options.propMode, options.propPoses)
    this.others = new RemoteAvatarBodies(this.scene, world.rules.movement.runSpeed)
    const ground = sampleHeight(world.heights, terrain, spawn[0], spawn[2])
    const feet = new Vector3(spawn[0], Math.max(spawn[1], ground) + SPAWN_CLEARANCE, spawn[2])
    this.avatar = options.localAvatar === false ? null : new AvatarController(this.scene, feet, world.rules.movement, world.rules.physics.gravity)
  }

  /** Advances the world by `dt` seconds: kinematic targets, then bodies, then the avatar against where they now are. */
  step (dt: number, input: MovementInput): void {
    this.props.beforeStep(dt)
    this.others.beforeStep(dt)
    this.physics._step(dt)
    this.props.afterStep()
    this.avatar?.step(dt, input)
  }

  setPropMode (mode: PropMode): void {
    this.props.setMode(mode)
  }

  followProps (batch: PropPoseBatch): void {
    this.props.follow(batch)
  }

  placeProp (placement: PropPlacement): void {
    this.props.place(placement)
  }

  setAvatars (avatars: readonly RemoteAvatar[]): void {
    this.others.set(avatars)
  }

  avatarPose (): AvatarPose | null {
    return this.avatar?.pose() ?? null
  }

  propsSnapshot (): Float32Array<ArrayBuffer> {
    return this.props.snapshot()
  }

  propSnaps (): Uint8Array<ArrayBuffer> {
    return this.props.snaps()
  }

  dispose (): void {
    this.avatar?.dispose()
    this.scene.dispose()
    this.engine.dispose()
  }
}
