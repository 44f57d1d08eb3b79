import HavokPhysics from '@babylonjs/havok'
import type { HavokPhysicsWithBindings } from '@babylonjs/havok'
import type { WorkerScope } from '../../platform/WorkerPort.js'
import { FixedStepLoop } from './fixedStepLoop.js'
import { toPhysicsWorkerSchema } from './physicsMessages.js'
import type { FromPhysicsWorker, MovementInput, PhysicsLoadOptions, PhysicsWorld, ToPhysicsWorker } from './physicsMessages.js'
import { PhysicsSimulation } from './physicsSimulation.js'

export type { WorkerScope } from '../../platform/WorkerPort.js'
export type { FromPhysicsWorker, ToPhysicsWorker } from './physicsMessages.js'

/** Instantiates Havok from the `havokWasm` of the init message (bytes, a URL, or nothing). */
export type HavokLoader = (wasm: ArrayBuffer | string | undefined) => Promise<HavokPhysicsWithBindings>

/**
 * Loads Havok from wasm bytes (Node: read from disk) or a URL (browser worker: the bundler's asset
 * URL); with neither, Havok looks beside its own script.
 */
export const loadHavok: HavokLoader = async (wasm) => {
  if (wasm instanceof ArrayBuffer) return await HavokPhysics({ wasmBinary: wasm })
  if (typeof wasm === 'string') return await HavokPhysics({ locateFile: () => wasm })
  return await HavokPhysics()
}

const STILL: MovementInput = { forward: 0, right: 0, yaw: 0, jump: false, run: false }

const messageOf = (err: unknown): string => err instanceof Error ? `${err.name}: ${err.message}` : String(err)

/**
 * The physics worker's body, shared by the browser and Node worker entries, which differ only in
 * their `scope` adapter and in how they load Havok. Answers `init` with `ready`, then posts a
 * `frame` per tick until `stop`. Every failure becomes an `error` message.
 */
export function runPhysicsWorker (scope: WorkerScope, havokLoader: HavokLoader = loadHavok): void {
  let simulation: PhysicsSimulation | null = null
  let loop: FixedStepLoop | null = null
  let input = STILL
  let time = 0
  let stepMs = 0
  let stopped = false
  let initialised = false

  const post = (msg: FromPhysicsWorker, transfer?: ArrayBuffer[]): void => {
    scope.postMessage(msg, transfer)
  }
  const fail = (err: unknown): void => {
    loop?.stop()
    post({ type: 'error', message: messageOf(err) })
  }

  const begin = async (wasm: ArrayBuffer | string | undefined, world: PhysicsWorld, options: PhysicsLoadOptions | undefined): Promise<void> => {
    const havok = await havokLoader(wasm)
    if (stopped) return
    const sim = new PhysicsSimulation(havok, world, options)
    simulation = sim
    loop = new FixedStepLoop({
      timeStep: world.rules.physics.timeStep,
      step: (dt) => {
        const started = performance.now()
        sim.step(dt, input)
        stepMs = performance.now() - started
        time += dt
      },
      afterSteps: () => {
        const props = sim.propsSnapshot()
        const snaps = sim.propSnaps()
        post({ type: 'frame', time, avatar: sim.avatarPose(), props, snaps, stepMs }, [props.buffer, snaps.buffer])
      },
      onError: fail
    })
    post({ type: 'ready' })
    loop.start()
  }

  const end = (): void => {
    stopped = true
    loop?.stop()
    try { simulation?.dispose() } catch (err) { fail(err) }
    simulation = null
    scope.close()
  }

  scope.onMessage((raw) => {
    const parsed = toPhysicsWorkerSchema.safeParse(raw)
    if (!parsed.success) {
      post({ type: 'error', message: `Refused a malformed physics message: ${parsed.error.message}` })
      return
    }
    const msg = parsed.data
    if (msg.type === 'input') input = msg.input
    else if (msg.type === 'stop') end()
    else if (msg.type !== 'init') {
      try {
        if (simulation === null) throw new Error(`A '${msg.type}' message came before the world was loaded; send it after 'ready'.`)
        apply(simulation, msg)
      } catch (err) {
        post({ type: 'error', message: messageOf(err) })
      }
    } else if (initialised) post({ type: 'error', message: 'The physics worker already holds a world; start a new worker for another.' })
    else {
      initialised = true
      begin(msg.havokWasm, msg.world, msg.options).catch(fail)
    }
  })
}

/** Applies a message about the props or the other avatars to the loaded simulation. */
function apply (sim: PhysicsSimulation, msg: Exclude<ToPhysicsWorker, { type: 'init' | 'input' | 'stop' }>): void {
  if (msg.type === 'propMode') sim.setPropMode(msg.mode)
  else if (msg.type === 'followProps') sim.followProps(msg.batch)
  else if (msg.type === 'placeProp') sim.placeProp(msg.placement)
  else sim.setAvatars(msg.avatars)
}
