import { physicsEngine, PROP_STRIDE } from '../physics/PhysicsEngine.js'
import type { JsonValue, ScriptEntity } from '@peercompute/world-sdk'
import type { WorkerPort } from '../../platform/WorkerPort.js'
import type { PhysicsEngine, PhysicsError, PhysicsWorld, PropFrame, RemoteAvatar } from '../physics/PhysicsEngine.js'
import type { PresencePlayer } from '../state/PresenceStore.js'
import type { PropSync } from './propSync.js'

export interface PropAuthorityInit {
  /** Pose messages per second. @default 20 */
  publishHz?: number
  /** A prop that ever moved is sent at least this often, for members who joined late or lost a message, ms. @default 1000 */
  keyframeMs?: number
}

export interface PropAuthorityComponents {
  /** The hosted world, terrain included. */
  world: PhysicsWorld
  /** The world's prop poses on the network: published through it, and the last ones received are where a new host starts. */
  sync: PropSync
  /** The node's own physics (a browser host: its avatar is in it) or null: then the authority runs one without an avatar. */
  physics(): PhysicsEngine | null
  spawnPhysicsWorker(): WorkerPort
  /** The world's players as presence has them (this node's own entry is `self`). */
  players(): PresencePlayer[]
  onError(err: Error): void
}

/** Moves smaller than this (m, or quaternion components) are not worth sending. */
const EPSILON = 1e-3

/**
 * The host's authority over its world's props: it simulates them (Havok in a worker), with every
 * other player's avatar posed from presence as a kinematic body that pushes them, publishes their
 * poses at a steady rate, shows them to the world's script as entities and carries out the
 * script's moves. It uses the node's own physics when there is one, else runs one of its own.
 */
export class PropAuthority {
  private engine: PhysicsEngine | null = null
  private owned = false
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly sent: Float32Array
  private readonly sentSnaps: Uint8Array
  private readonly sentAt: Float64Array
  private readonly moved: Uint8Array
  private readonly indexOf = new Map<string, number>()
  private stopped = false

  constructor(private readonly init: PropAuthorityInit, private readonly components: PropAuthorityComponents) {
    const props = components.world.definition.props
    this.sent = new Float32Array(props.length * PROP_STRIDE)
    props.forEach((prop, i) => {
      this.sent.set([...prop.position, 0, 0, 0, 1], i * PROP_STRIDE)
      this.indexOf.set(prop.id, i)
    })
    this.sentSnaps = new Uint8Array(props.length)
    this.sentAt = new Float64Array(props.length)
    this.moved = new Uint8Array(props.length)
  }

  /** Takes the simulation over (from the last poses received) and starts publishing; rejects with PhysicsError if Havok cannot start. */
  async start(): Promise<void> {
    const props = this.components.world.definition.props
    if (props.length === 0) return
    let engine = this.components.physics()
    if (engine == null) {
      engine = physicsEngine({})({ spawnWorker: () => this.components.spawnPhysicsWorker(), onError: (err: PhysicsError) => { this.components.onError(err) } })
      this.owned = true
      this.engine = engine
      engine.start()
      await engine.loadWorld(this.components.world, { localAvatar: false, propMode: 'simulate', propPoses: this.components.sync.latest().poses })
    } else {
      // A member elected host: its physics followed the old host's poses and simulates on from them.
      engine.setPropMode('simulate')
      this.engine = engine
    }
    if (this.stopped) {
      this.stop()
      return
    }
    this.timer = setInterval(this.tick, 1000 / (this.init.publishHz ?? 20))
  }

  stop(): void {
    this.stopped = true
    if (this.timer != null) clearInterval(this.timer)
    this.timer = null
    const engine = this.engine
    this.engine = null
    if (engine == null) return
    if (this.owned) engine.stop()
    else engine.setAvatars([])
  }

  /** The moving props as a script sees them: id from world.json, pose from the latest step. */
  entities(): ScriptEntity[] {
    const frame = this.engine?.propFrame()
    const poses = frame?.poses ?? this.sent
    const out: ScriptEntity[] = []
    this.components.world.definition.props.forEach((prop, i) => {
      if (prop.mass === 0) return
      const o = i * PROP_STRIDE
      const at = (k: number): number => poses[o + k] as number
      const data: Record<string, JsonValue> = { shape: prop.shape, size: [...prop.size], mass: prop.mass }
      out.push({ id: prop.id, kind: prop.shape, position: [at(0), at(1), at(2)], rotation: [at(3), at(4), at(5), at(6)], data })
    })
    return out
  }

  /**
   * Puts prop `id` somewhere at once (a script's `move`), at rest unless a velocity is given.
   * Throws a RangeError for an id that is no prop, or while the simulation is not running.
   */
  place(id: string, position: [number, number, number], rotation?: [number, number, number, number], velocity?: [number, number, number]): void {
    const index = this.indexOf.get(id)
    if (index == null) throw new RangeError(`The world has no prop "${id}".`)
    if (this.engine == null) throw new RangeError('The props are not simulated here (Havok did not start).')
    this.engine.placeProp({ index, position, ...(rotation == null ? {} : { rotation }), ...(velocity == null ? {} : { velocity }) })
  }

  private readonly tick = (): void => {
    const engine = this.engine
    if (engine == null) return
    engine.setAvatars(this.avatars())
    const frame = engine.propFrame()
    if (frame != null) this.publish(frame)
  }

  /**
   * Every player's avatar as presence has it. This node's own is among them only when the
   * simulation is the authority's own: in the node's physics it is the local, simulated avatar.
   */
  private avatars(): RemoteAvatar[] {
    const now = Date.now()
    return this.components.players().filter((p) => !p.self || this.owned).map((p) => ({
      id: p.peerId, position: p.position, velocity: p.velocity, age: Math.max(0, (now - p.receivedAt) / 1000)
    }))
  }

  /** Sends the props that moved or jumped since they were last sent, and a keyframe of those that ever moved. */
  private publish(frame: PropFrame): void {
    const now = performance.now()
    const keyframeMs = this.init.keyframeMs ?? 1000
    const indices: number[] = []
    for (let i = 0; i < this.sentSnaps.length; i++) {
      const o = i * PROP_STRIDE
      let changed = frame.snaps[i] !== this.sentSnaps[i]
      for (let k = 0; k < PROP_STRIDE && !changed; k++) changed = Math.abs((frame.poses[o + k] as number) - (this.sent[o + k] as number)) > EPSILON
      if (changed || (this.moved[i] === 1 && now - (this.sentAt[i] as number) >= keyframeMs)) indices.push(i)
    }
    if (indices.length === 0) return
    const poses = new Float32Array(indices.length * PROP_STRIDE)
    indices.forEach((index, j) => {
      const pose = frame.poses.subarray(index * PROP_STRIDE, (index + 1) * PROP_STRIDE)
      poses.set(pose, j * PROP_STRIDE)
      this.sent.set(pose, index * PROP_STRIDE)
      this.sentSnaps[index] = frame.snaps[index] as number
      this.sentAt[index] = now
      this.moved[index] = 1
    })
    this.components.sync.publish({ time: frame.time, indices: Uint16Array.from(indices), snaps: Uint8Array.from(indices, (i) => frame.snaps[i] as number), poses })
  }
}
