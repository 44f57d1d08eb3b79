import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { HavokPhysicsWithBindings } from '@babylonjs/havok'
import { sampleHeight } from '@peercompute/world-sdk'
import { PhysicsSimulation } from '../../../src/nodeKernel/physics/physicsSimulation.js'
import type { MovementInput, PropPoseBatch, RemoteAvatar } from '../../../src/nodeKernel/physics/physicsMessages.js'
import { havokHere, testWorld } from './physicsTestWorld.js'

const STILL: MovementInput = { forward: 0, right: 0, yaw: 0, jump: false, run: false }
const DT = 1 / 60
const world = testWorld()
const ground = (x: number, z: number): number => sampleHeight(world.heights, world.definition.terrain, x, z)
const crateOf = (sim: PhysicsSimulation): [number, number, number] => {
  const p = sim.propsSnapshot()
  return [p[0] ?? NaN, p[1] ?? NaN, p[2] ?? NaN]
}

describe('RemoteAvatarBodies: other players push the host\'s props', () => {
  let havok: HavokPhysicsWithBindings
  const sims: PhysicsSimulation[] = []

  beforeAll(async () => { havok = await havokHere() })
  afterEach(() => { for (const s of sims.splice(0)) s.dispose() })

  const simulation = (options: ConstructorParameters<typeof PhysicsSimulation>[2]): PhysicsSimulation => {
    const s = new PhysicsSimulation(havok, world, options)
    sims.push(s)
    return s
  }

  it('a player\'s presence walking through the crate pushes it on a host with no avatar of its own', () => {
    const host = simulation({ localAvatar: false })
    for (let t = 0; t < 1; t += DT) host.step(DT, STILL) // the crate lands
    const start = crateOf(host)
    // The player walks from the spawn along -z at 3 m/s, through where the crate stands, posed at 20 Hz.
    let z = 0
    for (let step = 0; step < 180; step++) {
      if (step % 3 === 0) host.setAvatars([{ id: 'bob', position: [0, ground(0, z), z], velocity: [0, 0, -3], age: 0 }])
      host.step(DT, STILL)
      z -= 3 * DT
    }
    const end = crateOf(host)
    expect(start[2] - end[2]).toBeGreaterThan(1.5) // pushed along -z, ahead of the player
    expect(end[2]).toBeLessThan(z - 0.3)
    expect(host.avatarPose()).toBeNull()
  })

  it('presence that comes in bursts moves a copy no faster than a player runs, so it does not launch the crate', () => {
    const host = simulation({ localAvatar: false })
    for (let t = 0; t < 1; t += DT) host.step(DT, STILL)
    // A busy host hears the player every half second: 2 m jumps at 4 m/s, straight through the crate.
    let z = 0
    let fastest = 0
    let last = crateOf(host)
    for (let step = 0; step < 180; step++) {
      if (step % 30 === 0) host.setAvatars([{ id: 'bob', position: [0, ground(0, z), z], velocity: [0, 0, 0], age: 0 }])
      host.step(DT, STILL)
      z -= 4 * DT
      const now = crateOf(host)
      fastest = Math.max(fastest, Math.hypot(now[0] - last[0], now[2] - last[2]) / DT)
      last = now
    }
    expect(last[2]).toBeLessThan(-8) // pushed all the same
    // A copy sent straight to each pose would move 2 m in one step (120 m/s) and throw the crate far faster.
    expect(fastest).toBeLessThan(2 * world.rules.movement.runSpeed * 1.5 + 1)
  })

  /**
   * A host with no avatar and a member following it, 50 ms of network each way at 20 Hz: the
   * member's presence poses its copy on the host, the host's crate pose is what the member follows.
   */
  function hostAndMember (): { host: PhysicsSimulation; member: PhysicsSimulation; run(seconds: number, input: MovementInput): void } {
    const host = simulation({ localAvatar: false })
    const member = simulation({ propMode: 'follow' })
    const toHost: Array<{ at: number; avatars: RemoteAvatar[] }> = []
    const toMember: Array<{ at: number; batch: PropPoseBatch }> = []
    const latency = 0.05
    let step = 0
    const run = (seconds: number, input: MovementInput): void => {
      for (let end = step + Math.round(seconds / DT); step < end; step++) {
        const time = step * DT
        if (step % 3 === 0) {
          const pose = member.avatarPose()
          if (pose !== null) toHost.push({ at: time + latency, avatars: [{ id: 'member', position: pose.position, velocity: pose.velocity, age: 0 }] })
          toMember.push({ at: time + latency, batch: { time, indices: Uint16Array.of(0), snaps: host.propSnaps(), poses: host.propsSnapshot() } })
        }
        while ((toHost[0]?.at ?? Infinity) <= time) host.setAvatars(toHost.shift()?.avatars ?? [])
        while ((toMember[0]?.at ?? Infinity) <= time) member.followProps((toMember.shift() as { batch: PropPoseBatch }).batch)
        host.step(DT, STILL)
        member.step(DT, input)
      }
    }
    run(1.5, STILL) // both settle; the member's crate follows the host's
    return { host, member, run }
  }

  it('a follower\'s own avatar walking into the crate pushes it on the host, and sees it there', () => {
    const { host, member, run } = hostAndMember()
    const start = crateOf(host)
    expect(crateOf(member)[2]).toBeCloseTo(start[2], 1)
    run(2.5, { ...STILL, forward: 1, yaw: Math.PI }) // the crate is along -z from the spawn
    const end = crateOf(host)
    expect(start[2] - end[2]).toBeGreaterThan(1)
    run(2, STILL) // the crate comes to rest
    expect(Math.hypot(crateOf(member)[0] - crateOf(host)[0], crateOf(member)[2] - crateOf(host)[2])).toBeLessThan(0.05)
  })

  it('a follower touching the crate at rest is never stuck against it: its copy on the host is a little wider', () => {
    const { host, member, run } = hostAndMember()
    // The crate put right in front of the standing member, 3 cm from what the member sees of it.
    const feet = member.avatarPose()?.position ?? [0, 0, 0]
    const placedZ = feet[2] - (0.35 + 0.5 + 0.03)
    host.placeProp({ index: 0, position: [feet[0], crateOf(host)[1], placedZ] })
    run(1, STILL)
    run(2, { ...STILL, forward: 0.5, yaw: Math.PI })
    // A copy of the member's own size would never touch the crate on the host: the crate would stay
    // put and block the member (velocity 0, so nothing carries the copy on into it) for good.
    expect(placedZ - crateOf(host)[2]).toBeGreaterThan(0.5)
    expect(feet[2] - (member.avatarPose()?.position[2] ?? 0)).toBeGreaterThan(1)
  })

  it('removes a player who is no longer in the list: a crate put where they stood stays there', () => {
    const host = simulation({ localAvatar: false })
    const at: [number, number, number] = [5, ground(5, 5), 5]
    const crateThere = (): number => {
      host.placeProp({ index: 0, position: [5, ground(5, 5) + 0.6, 5] })
      for (let t = 0; t < 1; t += DT) host.step(DT, STILL)
      const [x, , z] = crateOf(host)
      return Math.hypot(x - 5, z - 5)
    }
    host.setAvatars([{ id: 'a', position: at, velocity: [0, 0, 0], age: 0 }, { id: 'b', position: [-5, ground(-5, -5), -5], velocity: [0, 0, 0], age: 0 }])
    host.step(DT, STILL)
    expect(crateThere()).toBeGreaterThan(0.4) // pushed out of the player standing there
    host.setAvatars([{ id: 'b', position: [-5, ground(-5, -5), -5], velocity: [0, 0, 0], age: 0 }])
    expect(crateThere()).toBeLessThan(0.2)
  })
})
