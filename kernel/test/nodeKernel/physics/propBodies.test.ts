import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { HavokPhysicsWithBindings } from '@babylonjs/havok'
import { sampleHeight } from '@peercompute/world-sdk'
import { PhysicsSimulation } from '../../../src/nodeKernel/physics/physicsSimulation.js'
import type { MovementInput, PhysicsLoadOptions, PhysicsWorld, PropPoseBatch } from '../../../src/nodeKernel/physics/physicsMessages.js'
import { havokHere, testWorld } from './physicsTestWorld.js'

const STILL: MovementInput = { forward: 0, right: 0, yaw: 0, jump: false, run: false }
const DT = 1 / 60

/** The crate's pose (the test world's only prop) after the latest step. */
const crate = (sim: PhysicsSimulation): number[] => [...sim.propsSnapshot()]

describe('PropBodies (Havok in this thread, stepped by hand)', () => {
  let havok: HavokPhysicsWithBindings
  let sim: PhysicsSimulation | null = null
  const world = testWorld()

  beforeAll(async () => { havok = await havokHere() })
  afterEach(() => { sim?.dispose(); sim = null })

  function start (options: PhysicsLoadOptions = {}, w: PhysicsWorld = world): PhysicsSimulation {
    sim = new PhysicsSimulation(havok, w, options)
    return sim
  }

  function run (s: PhysicsSimulation, seconds: number, input: MovementInput = STILL, each?: (t: number) => void): void {
    for (let t = 0; t < seconds; t += DT) {
      each?.(t)
      s.step(DT, input)
    }
  }

  it('simulating, drops the crate onto the terrain; a placement moves it at once and bumps its teleport counter', () => {
    const s = start()
    run(s, 2)
    const [x, y, z] = crate(s)
    const ground = sampleHeight(world.heights, world.definition.terrain, x ?? 0, z ?? 0)
    expect(y).toBeGreaterThan(ground + 0.4)
    expect(y).toBeLessThan(ground + 0.7)
    expect([...s.propSnaps()]).toEqual([0])
    s.placeProp({ index: 0, position: [3, 8, 3] })
    expect(crate(s).slice(0, 3)).toEqual([3, 8, 3])
    expect([...s.propSnaps()]).toEqual([1])
    s.step(DT, STILL)
    expect(crate(s)[1]).toBeLessThan(8) // dynamic again: it falls from there
  })

  it('puts a crate that fell out of the world back where it started', () => {
    const s = start()
    s.placeProp({ index: 0, position: [60, 0, 0] }) // beyond the terrain's edge at 48
    run(s, 4)
    const [x, y, z] = crate(s)
    expect([x, z]).toEqual([0, -6])
    expect(y).toBeGreaterThan(-5)
    expect(s.propSnaps()[0]).toBe(2)
  })

  it('following, moves the crate through the host\'s poses smoothly, and the avatar cannot push it', () => {
    const s = start({ propMode: 'follow' })
    const poseAt = (time: number): PropPoseBatch => ({
      time, indices: Uint16Array.of(0), snaps: Uint8Array.of(0), poses: Float32Array.of(time, 3, -6, 0, 0, 0, 1)
    })
    // The host's crate floats along +x at 1 m/s, at 20 Hz.
    let hostTime = 0
    const xs: number[] = []
    run(s, 2, STILL, (t) => {
      if (t >= hostTime) { s.followProps(poseAt(hostTime)); hostTime += 0.05 }
      xs.push(crate(s)[0] ?? 0)
    })
    const [x, y] = crate(s)
    // Played back 0.1 s (plus a step or so) behind the host, not falling: kinematic.
    expect(x).toBeGreaterThan(1.75)
    expect(x).toBeLessThan(1.95)
    expect(y).toBeCloseTo(3, 3)
    // Smooth: after the first second, every step moves it about the same small amount.
    const steps = xs.slice(60).map((v, i, a) => (i === 0 ? DT : v - (a[i - 1] ?? 0))).slice(1)
    expect(Math.max(...steps)).toBeLessThan(2.5 * DT)
    expect(Math.min(...steps)).toBeGreaterThan(0)

    // Host pose where the avatar will walk: the crate stays where the host says.
    s.followProps({ time: 2.5, indices: Uint16Array.of(0), snaps: Uint8Array.of(1), poses: Float32Array.of(0, sampleHeight(world.heights, world.definition.terrain, 0, -3) + 0.55, -3, 0, 0, 0, 1) })
    run(s, 0.2)
    const held = crate(s)
    expect(held[2]).toBeCloseTo(-3, 3)
    run(s, 2, { ...STILL, forward: 1, yaw: Math.PI }) // walk toward -z, into it
    expect(crate(s)[2]).toBeCloseTo(-3, 3)
    const avatar = s.avatarPose()
    expect(avatar?.position[2]).toBeGreaterThan(-3 + 0.3) // stopped by the crate, not through it
    expect([...s.propSnaps()]).toEqual([1])
  })

  it('a follower that becomes the host simulates on from the pose it followed', () => {
    const s = start({ propMode: 'follow' })
    s.followProps({ time: 1, indices: Uint16Array.of(0), snaps: Uint8Array.of(0), poses: Float32Array.of(5, 6, 5, 0, 0, 0, 1) })
    run(s, 0.5)
    expect(crate(s).slice(0, 3)).toEqual([5, 6, 5])
    s.setPropMode('simulate')
    run(s, 1.5)
    const [x, y, z] = crate(s)
    expect(Math.hypot((x ?? 0) - 5, (z ?? 0) - 5)).toBeLessThan(0.5) // it may slide a little on the slope
    expect(y).toBeLessThan(sampleHeight(world.heights, world.definition.terrain, 5, 5) + 0.7) // fell to the ground
  })

  it('starts the props at given poses (a new host starts from the last poses it received)', () => {
    const s = start({ localAvatar: false, propPoses: Float32Array.of(-4, 9, 2, 0, 0, 0, 1) })
    expect(crate(s).slice(0, 3)).toEqual([-4, 9, 2])
    expect(s.avatarPose()).toBeNull()
    expect(() => start({ propPoses: new Float32Array(3) })).toThrow(/Start poses hold 3 floats/)
  })
})
