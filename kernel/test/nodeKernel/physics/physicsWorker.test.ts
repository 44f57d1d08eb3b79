import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { fromPhysicsWorkerSchema } from '../../../src/nodeKernel/physics/physicsMessages.js'
import type { FromPhysicsWorker } from '../../../src/nodeKernel/physics/physicsMessages.js'
import { PHYSICS_WORKER, testWorld, until } from './physicsTestWorld.js'

/** A physics worker and every message it has sent, parsed. */
function startWorker (): { worker: Worker; received: FromPhysicsWorker[] } {
  const worker = new Worker(PHYSICS_WORKER)
  const received: FromPhysicsWorker[] = []
  worker.on('message', (msg) => { received.push(fromPhysicsWorkerSchema.parse(msg)) })
  return { worker, received }
}

describe('runPhysicsWorker (Node entry)', () => {
  it('answers init with ready, streams frames, and exits by itself on stop', async () => {
    const { worker, received } = startWorker()
    const world = testWorld()
    worker.postMessage({ type: 'init', world })
    await until(() => received.some((m) => m.type === 'frame') ? true : undefined, 10_000, 'a frame')
    expect(received[0]?.type).toBe('ready')
    const frame = received.find((m) => m.type === 'frame')
    expect(frame?.type === 'frame' && frame.props.length).toBe(7 * world.definition.props.length)
    const exited = once(worker, 'exit')
    worker.postMessage({ type: 'stop' })
    const [code] = await exited as [number]
    expect(code).toBe(0)
    expect(received.filter((m) => m.type === 'error')).toEqual([])
  })

  it('answers a malformed message with an error instead of crashing', async () => {
    const { worker, received } = startWorker()
    try {
      worker.postMessage({ type: 'input', input: { forward: 'fast' } })
      const error = await until(() => received.find((m) => m.type === 'error'), 5000, 'an error message')
      expect(error.type === 'error' && error.message).toMatch(/malformed physics message/)
    } finally {
      await worker.terminate()
    }
  })

  it('without a local avatar sends frames with no avatar; a props message before the world loaded is an error', async () => {
    const { worker, received } = startWorker()
    try {
      worker.postMessage({ type: 'placeProp', placement: { index: 0, position: [0, 5, 0] } })
      const early = await until(() => received.find((m) => m.type === 'error'), 5000, 'an error message')
      expect(early.type === 'error' && early.message).toMatch(/before the world was loaded/)
      worker.postMessage({ type: 'init', world: testWorld(), options: { localAvatar: false } })
      const frame = await until(() => received.find((m) => m.type === 'frame'), 10_000, 'a frame')
      expect(frame.type === 'frame' && frame.avatar).toBeNull()
      expect(frame.type === 'frame' && [...frame.snaps]).toEqual([0])
      worker.postMessage({ type: 'placeProp', placement: { index: 3, position: [0, 5, 0] } })
      const late = await until(() => received.filter((m) => m.type === 'error')[1], 5000, 'a second error')
      expect(late.type === 'error' && late.message).toMatch(/no prop 3/)
    } finally {
      await worker.terminate()
    }
  })
})
