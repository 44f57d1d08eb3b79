import type { Startable } from '@libp2p/interface'
import type { WorkerPort } from '../../platform/WorkerPort.js'
import { fromPhysicsWorkerSchema } from './physicsMessages.js'
import type { AvatarPose, MovementInput, PhysicsLoadOptions, PhysicsWorld, PropMode, PropPlacement, PropPoseBatch, RemoteAvatar, ToPhysicsWorker } from './physicsMessages.js'

export type { AvatarPose, MovementInput, PhysicsLoadOptions, PhysicsWorld, PropMode, PropPlacement, PropPoseBatch, RemoteAvatar } from './physicsMessages.js'
export { PROP_STRIDE } from './physicsMessages.js'

/** Physics failed: the worker did not start, did not load the world in time, or reported an error. */
export class PhysicsError extends Error {
  override name = 'PhysicsError'
}

/** Options of the physics engine. */
export interface PhysicsEngineInit {
  /** How long loadWorld waits for the worker's `ready`, in ms. @default 20_000 */
  readyTimeoutMs?: number
  /** Havok's wasm for the worker, as bytes or a URL. @default undefined (the worker entry finds it) */
  havokWasm?: ArrayBuffer | string
}

/** What the physics engine needs from the node. */
export interface PhysicsEngineComponents {
  /** Starts a physics worker (the platform's `spawnWorker('physics')`). */
  spawnWorker: () => WorkerPort
  /** Told of every error the worker reports after the world has loaded. */
  onError?: (err: PhysicsError) => void
}

/** Simulation figures for the HUD and benchmarks. */
export interface PhysicsStats {
  /** Fixed steps simulated since the world loaded. */
  steps: number
  /** Wall-clock ms of the latest step. */
  stepMs: number
  /** Errors the worker reported since start. */
  errors: number
}

/** The props of the latest frame. */
export interface PropFrame {
  /** Simulated seconds since the world loaded. */
  time: number
  /** PROP_STRIDE floats per prop (x, y, z, qx, qy, qz, qw), in definition order. */
  poses: Float32Array
  /** Each prop's teleport counter, in definition order (PropPoseBatch.snaps). */
  snaps: Uint8Array
}

/** Havok physics of the current world, simulated in a worker; reads return the latest frame. */
export interface PhysicsEngine extends Startable {
  isStarted(): boolean
  /** Starts a worker for this world (replacing any previous one); resolves once it simulates. */
  loadWorld(world: PhysicsWorld, options?: PhysicsLoadOptions): Promise<void>
  /** The local avatar's movement intent, applied from the next step on. */
  setInput(input: MovementInput): void
  /** Who moves the props from the next step on: Havok, or the host's poses given to `followProps`. */
  setPropMode(mode: PropMode): void
  /** The world's host's latest prop poses, for a simulation in 'follow' mode. */
  followProps(batch: PropPoseBatch): void
  /** Puts a prop somewhere at once (a world script's `move` on the host). */
  placeProp(placement: PropPlacement): void
  /** Other players' avatars, as kinematic bodies that push the props (the world's host). */
  setAvatars(avatars: readonly RemoteAvatar[]): void
  /** Null when the world was loaded without a local avatar. */
  avatar(): AvatarPose | null
  /** 7 floats per prop (x, y, z, qx, qy, qz, qw), in definition order. */
  props(): Float32Array | null
  propFrame(): PropFrame | null
  stats(): PhysicsStats
}

interface PendingLoad {
  resolve: () => void
  reject: (err: PhysicsError) => void
  timer: ReturnType<typeof setTimeout>
}

class DefaultPhysicsEngine implements PhysicsEngine {
  private started = false
  private worker: WorkerPort | null = null
  private pending: PendingLoad | null = null
  private lastInput: MovementInput | null = null
  private pose: AvatarPose | null = null
  private propPoses: Float32Array | null = null
  private propSnaps: Uint8Array | null = null
  private time = 0
  private timeStep = 1 / 60
  private stepMs = 0
  private errors = 0

  constructor (private readonly init: PhysicsEngineInit, private readonly components: PhysicsEngineComponents) {}

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    this.started = true
  }

  stop (): void {
    this.started = false
    this.closeWorker(new PhysicsError('The physics engine stopped before the world loaded.'))
  }

  async loadWorld (world: PhysicsWorld, options?: PhysicsLoadOptions): Promise<void> {
    if (!this.started) throw new PhysicsError('Start the physics engine before loading a world.')
    this.closeWorker(new PhysicsError('Another world was loaded before this one finished loading.'))
    this.timeStep = world.rules.physics.timeStep
    const worker = this.components.spawnWorker()
    this.worker = worker
    const loaded = new Promise<void>((resolve, reject) => {
      const timeoutMs = this.init.readyTimeoutMs ?? 20_000
      const timer = setTimeout(() => {
        this.closeWorker(new PhysicsError(`The physics worker was not ready after ${timeoutMs} ms; check that Havok's wasm can be loaded.`))
      }, timeoutMs)
      this.pending = { resolve, reject, timer }
    })
    worker.onMessage((msg) => { this.onMessage(worker, msg) })
    worker.onError((err) => { this.onFailure(worker, `The physics worker crashed: ${err.message}`) })
    const init: ToPhysicsWorker = { type: 'init', world }
    if (this.init.havokWasm !== undefined) init.havokWasm = this.init.havokWasm
    if (options !== undefined) init.options = options
    worker.postMessage(init)
    this.lastInput = null
    await loaded
  }

  setInput (input: MovementInput): void {
    const last = this.lastInput
    if (this.worker === null) return
    if (last !== null && last.forward === input.forward && last.right === input.right &&
      last.yaw === input.yaw && last.jump === input.jump && last.run === input.run) return
    this.lastInput = { ...input }
    this.worker.postMessage({ type: 'input', input: this.lastInput } satisfies ToPhysicsWorker)
  }

  setPropMode (mode: PropMode): void {
    this.post({ type: 'propMode', mode })
  }

  followProps (batch: PropPoseBatch): void {
    this.post({ type: 'followProps', batch })
  }

  placeProp (placement: PropPlacement): void {
    this.post({ type: 'placeProp', placement })
  }

  setAvatars (avatars: readonly RemoteAvatar[]): void {
    this.post({ type: 'avatars', avatars: [...avatars] })
  }

  avatar (): AvatarPose | null {
    return this.pose
  }

  props (): Float32Array | null {
    return this.propPoses
  }

  propFrame (): PropFrame | null {
    if (this.propPoses === null || this.propSnaps === null) return null
    return { time: this.time, poses: this.propPoses, snaps: this.propSnaps }
  }

  stats (): PhysicsStats {
    return { steps: Math.round(this.time / this.timeStep), stepMs: this.stepMs, errors: this.errors }
  }

  private onMessage (worker: WorkerPort, raw: unknown): void {
    if (worker !== this.worker) return
    const parsed = fromPhysicsWorkerSchema.safeParse(raw)
    if (!parsed.success) {
      this.onFailure(worker, `The physics worker sent a malformed message: ${parsed.error.message}`)
      return
    }
    const msg = parsed.data
    if (msg.type === 'frame') {
      this.pose = msg.avatar
      this.propPoses = msg.props
      this.propSnaps = msg.snaps
      this.time = msg.time
      this.stepMs = msg.stepMs
    } else if (msg.type === 'ready') {
      const pending = this.pending
      this.pending = null
      if (pending !== null) {
        clearTimeout(pending.timer)
        pending.resolve()
      }
    } else {
      this.onFailure(worker, `Physics failed in the worker: ${msg.message}`)
    }
  }

  /** Messages about a loaded world; dropped while none is loaded (the next world starts afresh). */
  private post (msg: ToPhysicsWorker): void {
    if (this.worker !== null && this.pending === null) this.worker.postMessage(msg)
  }

  /** A failure while loading rejects the load and ends the worker; later ones are counted and told. */
  private onFailure (worker: WorkerPort, message: string): void {
    if (worker !== this.worker) return
    this.errors++
    const err = new PhysicsError(message)
    if (this.pending !== null) this.closeWorker(err)
    else this.components.onError?.(err)
  }

  private closeWorker (reason: PhysicsError): void {
    const pending = this.pending
    this.pending = null
    if (pending !== null) {
      clearTimeout(pending.timer)
      pending.reject(reason)
    }
    const worker = this.worker
    this.worker = null
    if (worker !== null) {
      // `stop` lets the worker free Havok's memory if it runs before terminate() lands.
      worker.postMessage({ type: 'stop' } satisfies ToPhysicsWorker)
      worker.terminate()
    }
    this.pose = null
    this.propPoses = null
    this.propSnaps = null
    this.time = 0
    this.stepMs = 0
  }
}

/**
 * The physics engine: Havok in a worker, one world at a time.
 * Shaped like the other managers: `physicsEngine(init)(components)`.
 */
export function physicsEngine (init: PhysicsEngineInit = {}) {
  return (components: PhysicsEngineComponents): PhysicsEngine => new DefaultPhysicsEngine(init, components)
}
