import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleHeight } from '@peercompute/world-sdk'
import { PhysicsError, physicsEngine } from '../../../src/nodeKernel/physics/PhysicsEngine.js'
import type { AvatarPose, MovementInput, PhysicsEngine, PhysicsWorld } from '../../../src/nodeKernel/physics/PhysicsEngine.js'
import { WorkerSpawner, sleep, testWorld, until } from './physicsTestWorld.js'

const STILL: MovementInput = { forward: 0, right: 0, yaw: 0, jump: false, run: false }

async function startEngine (world: PhysicsWorld, spawner = new WorkerSpawner()): Promise<PhysicsEngine> {
  const engine = physicsEngine()({ spawnWorker: spawner.spawn })
  engine.start()
  await engine.loadWorld(world)
  return engine
}

const groundUnder = (world: PhysicsWorld, pose: AvatarPose): number =>
  sampleHeight(world.heights, world.definition.terrain, pose.position[0], pose.position[2])

/** Waits until the avatar stands still on the ground. */
async function settle (engine: PhysicsEngine): Promise<AvatarPose> {
  return await until(() => {
    const pose = engine.avatar()
    return pose?.grounded === true && Math.abs(pose.velocity[1]) < 0.05 ? pose : undefined
  }, 5000, 'the avatar to stand on the ground')
}

/** Jumps once from standing and returns how high the feet rose above where they started. */
async function jumpHeight (engine: PhysicsEngine): Promise<number> {
  const start = await settle(engine)
  engine.setInput({ ...STILL, jump: true })
  await until(() => engine.avatar()?.grounded === false ? true : undefined, 2000, 'the avatar to leave the ground')
  engine.setInput(STILL)
  let peak = start.position[1]
  await until(() => {
    const pose = engine.avatar()
    if (pose === null) return undefined
    peak = Math.max(peak, pose.position[1])
    return pose.velocity[1] < -0.5 ? true : undefined
  }, 8000, 'the jump to reach its apex')
  return peak - start.position[1]
}

describe('PhysicsEngine (Havok in a worker_thread)', () => {
  const world = testWorld()
  const spawner = new WorkerSpawner()
  let engine: PhysicsEngine

  beforeAll(async () => { engine = await startEngine(world, spawner) })
  afterAll(() => { engine.stop() })

  it('lands the avatar on the terrain and keeps it there', async () => {
    const pose = await settle(engine)
    const ground = groundUnder(world, pose)
    expect(pose.position[1]).toBeGreaterThan(ground - 0.05)
    expect(pose.position[1]).toBeLessThan(ground + 0.3)
    await sleep(500)
    const later = engine.avatar()
    expect(later?.grounded).toBe(true)
    expect(later?.position[1]).toBeCloseTo(pose.position[1], 1)
    expect(engine.stats().steps).toBeGreaterThan(10)
    expect(engine.props()).toHaveLength(7)
  })

  it('walks at about walkSpeed in the yaw direction', async () => {
    await settle(engine)
    const yaw = Math.PI / 2 // facing +x
    engine.setInput({ ...STILL, forward: 1, yaw })
    await sleep(500) // accelerate
    const a = engine.avatar()
    const t0 = engine.stats().steps
    await sleep(1000)
    const b = engine.avatar()
    const seconds = (engine.stats().steps - t0) * world.rules.physics.timeStep
    engine.setInput(STILL)
    if (a === null || b === null) throw new Error('no avatar frames')
    const dx = b.position[0] - a.position[0]
    const dz = b.position[2] - a.position[2]
    expect(dx / seconds).toBeGreaterThan(world.rules.movement.walkSpeed * 0.8)
    expect(dx / seconds).toBeLessThan(world.rules.movement.walkSpeed * 1.2)
    expect(Math.abs(dz)).toBeLessThan(0.1 * dx)
    expect(b.position[1]).toBeGreaterThan(groundUnder(world, b) - 0.05)
  })

  it('jumps, and jumps measurably higher under lower gravity', async () => {
    const earth = await jumpHeight(engine)
    const v = world.rules.movement.jumpSpeed
    expect(earth).toBeGreaterThan(0.7 * (v * v) / (2 * 9.81))
    expect(earth).toBeLessThan(1.3 * (v * v) / (2 * 9.81))

    const moonWorld = testWorld(-1.62)
    const moon = await startEngine(moonWorld)
    try {
      const height = await jumpHeight(moon)
      expect(height).toBeGreaterThan(3 * earth)
    } finally {
      moon.stop()
    }
  })

  it('pushes a prop it walks into', async () => {
    const crateAt = (): [number, number, number] => {
      const p = engine.props()
      if (p === null) throw new Error('no prop frames')
      return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0]
    }
    const start = crateAt()
    await until(() => {
      const pose = engine.avatar()
      if (pose === null) return undefined
      const [cx, , cz] = crateAt()
      engine.setInput({ ...STILL, forward: 1, yaw: Math.atan2(cx - pose.position[0], cz - pose.position[2]) })
      const [x, , z] = crateAt()
      return Math.hypot(x - start[0], z - start[2]) > 0.5 ? true : undefined
    }, 10_000, 'the crate to be pushed half a metre')
    engine.setInput(STILL)
  })

  it('leaves no worker running once stopped', async () => {
    engine.stop()
    expect(engine.avatar()).toBeNull()
    await spawner.allExited()
    expect(spawner.workers.every((w) => w.threadId === -1)).toBe(true)
  })
})

describe('PhysicsEngine for a world\'s props (the host\'s authority, a member\'s following)', () => {
  it('poses other players that push the crate, places it at once, and follows a host\'s poses', async () => {
    const world = testWorld()
    const spawner = new WorkerSpawner()
    const engine = physicsEngine()({ spawnWorker: spawner.spawn })
    engine.start()
    const crate = (): number[] => [...(engine.propFrame()?.poses ?? [])].slice(0, 3)
    try {
      await engine.loadWorld(world, { localAvatar: false })
      await until(() => engine.propFrame() ?? undefined, 5000, 'a frame')
      expect(engine.avatar()).toBeNull()
      const start = crate()
      // A player walks from the spawn along -z through the crate, as its presence says.
      const walkedFrom = Date.now()
      await until(() => {
        const z = -((Date.now() - walkedFrom) / 1000) * 3
        const x = 0
        engine.setAvatars([{ id: 'bob', position: [x, sampleHeight(world.heights, world.definition.terrain, x, z), z], velocity: [0, 0, -3], age: 0 }])
        return (start[2] ?? 0) - (crate()[2] ?? 0) > 1 ? true : undefined
      }, 10_000, 'the crate to be pushed a metre')
      engine.setAvatars([])

      engine.placeProp({ index: 0, position: [4, 9, 4] })
      await until(() => engine.propFrame()?.snaps[0] === 1 ? true : undefined, 5000, 'the placement')
      expect(crate()[0]).toBeCloseTo(4, 1)

      engine.setPropMode('follow')
      engine.followProps({ time: 100, indices: Uint16Array.of(0), snaps: Uint8Array.of(7), poses: Float32Array.of(-5, 6, 5, 0, 0, 0, 1) })
      await until(() => engine.propFrame()?.snaps[0] === 7 ? true : undefined, 5000, 'the host\'s pose')
      await sleep(300)
      expect(crate()).toEqual([-5, 6, 5]) // kinematic: it stays where the host says, in the air
    } finally {
      engine.stop()
      await spawner.allExited()
    }
  })
})

describe('PhysicsEngine falls', () => {
  it('puts an avatar that falls out of the world back at the spawn', async () => {
    const world = testWorld()
    world.definition.spawn = [60, 0, 0] // beyond the terrain's edge at x = 48
    const engine = await startEngine(world)
    try {
      await until(() => (engine.avatar()?.position[1] ?? 0) < -30 ? true : undefined, 6000, 'the avatar to fall')
      await until(() => (engine.avatar()?.position[1] ?? -99) > -5 ? true : undefined, 6000, 'the avatar to respawn')
      expect(engine.avatar()?.position[0]).toBeCloseTo(60, 0)
    } finally {
      engine.stop()
    }
  })
})

describe('PhysicsEngine failures', () => {
  it('rejects loadWorld with a PhysicsError when the worker never becomes ready', async () => {
    const spawner = new WorkerSpawner('setInterval(() => {}, 1000)', { eval: true })
    const engine = physicsEngine({ readyTimeoutMs: 300 })({ spawnWorker: spawner.spawn })
    engine.start()
    await expect(engine.loadWorld(testWorld())).rejects.toThrow(PhysicsError)
    await spawner.allExited()
    engine.stop()
  })

  it('rejects loadWorld with the worker\'s error for a world it cannot load', async () => {
    const spawner = new WorkerSpawner()
    const engine = physicsEngine()({ spawnWorker: spawner.spawn })
    engine.start()
    const broken = { ...testWorld(), heights: new Float32Array(3) }
    await expect(engine.loadWorld(broken)).rejects.toThrow(/heights must hold resolution\*resolution/)
    await spawner.allExited()
    engine.stop()
  })
})
