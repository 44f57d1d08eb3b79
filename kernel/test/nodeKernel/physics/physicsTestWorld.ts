import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import HavokPhysics from '@babylonjs/havok'
import type { HavokPhysicsWithBindings } from '@babylonjs/havok'
import { generateHeightfield } from '@peercompute/world-sdk'
import type { WorkerPort } from '../../../src/platform/WorkerPort.js'
import type { PhysicsWorld } from '../../../src/nodeKernel/physics/PhysicsEngine.js'

/** The compiled Node worker entry (`npx tsc -b kernel` first). */
export const PHYSICS_WORKER = fileURLToPath(new URL('../../../dist/platform/node/workers/physics.worker.js', import.meta.url))

/** Spawns real worker_threads workers and remembers them, so a test can check they exited. */
export class WorkerSpawner {
  readonly workers: Worker[] = []

  constructor (private readonly file: string = PHYSICS_WORKER, private readonly options: { eval?: boolean } = {}) {}

  readonly spawn = (): WorkerPort => {
    const worker = new Worker(this.file, this.options)
    this.workers.push(worker)
    return {
      postMessage: (msg, transfer) => { worker.postMessage(msg, transfer) },
      onMessage: (cb) => { worker.on('message', cb) },
      onError: (cb) => { worker.on('error', cb) },
      terminate: () => { void worker.terminate() }
    }
  }

  /** Resolves once every spawned worker has exited. */
  async allExited (): Promise<void> {
    await Promise.all(this.workers.map(async (w) => { if (w.threadId !== -1) await once(w, 'exit') }))
  }
}

/**
 * A small world: 64 m of gentle terrain from world-sdk (flat near the spawn at the origin),
 * a crate 6 m along -z from the spawn.
 */
export function testWorld (gravity = -9.81): PhysicsWorld {
  const terrain = { seed: 7, size: 96, resolution: 49, amplitude: 2 }
  return {
    definition: {
      terrain,
      spawn: [0, 2, 0],
      props: [{ id: 'crate', shape: 'box', size: [1, 1, 1], position: [0, 3, -6], mass: 5 }]
    },
    rules: {
      physics: { gravity, timeStep: 1 / 60 },
      movement: { walkSpeed: 4, runSpeed: 7, jumpSpeed: 5 }
    },
    heights: generateHeightfield(terrain)
  }
}

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Polls `read` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function until<T> (read: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

/** Havok in this thread, for tests that step a PhysicsSimulation by hand (no worker, no timers). */
export async function havokHere (): Promise<HavokPhysicsWithBindings> {
  const bytes = await readFile(createRequire(import.meta.url).resolve('@babylonjs/havok/lib/esm/HavokPhysics.wasm'))
  return await HavokPhysics({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) })
}
