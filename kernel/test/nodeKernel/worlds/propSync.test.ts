import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { worldPropsTopic } from '../../../src/nodeKernel/worldTopics.js'
import { MAX_PROP_POSES_BYTES, encodePropPoses } from '../../../src/nodeKernel/worlds/propPoseMessage.js'
import type { PeerComputeNode } from '../../../src/createNode.js'
import type { PropPoseBatch } from '../../../src/nodeKernel/physics/physicsMessages.js'
import { waitFor } from '../../fixtures/testWorld.js'
import { FLAT_WORLD } from './worldBundles.js'
import { startWorldTestNet } from './worldTestNet.js'
import type { WorldTestNet } from './worldTestNet.js'

/** A flat world with a ball (prop 0) and a crate (prop 1), no script. */
const BALL_WORLD = {
  ...FLAT_WORLD,
  props: [
    { id: 'ball', shape: 'sphere', size: [0.6, 0.6, 0.6], position: [2, 0.5, 0], mass: 1, color: '#ffffff' },
    { id: 'crate', shape: 'box', size: [1, 1, 1], position: [-3, 0, 2], mass: 5, color: '#aa7744' }
  ]
}

/** The ball put at (x, 5, 0) by a message of sequence number `seq`. */
const forged = (seq: number, x: number, time = 1): Uint8Array => {
  const batch: PropPoseBatch = { time, indices: Uint16Array.of(0), snaps: Uint8Array.of(9), poses: Float32Array.of(x, 5, 0, 0, 0, 0, 1) }
  return encodePropPoses(seq, batch)[0] as Uint8Array
}

const publishRaw = async (node: PeerComputeNode, bytes: Uint8Array): Promise<void> => {
  await node.kernel.network.libp2p()?.services.pubsub.publish(worldPropsTopic('balls'), bytes)
}

describe('prop poses at the boundary: only the world\'s host is followed, garbage is refused and counted (real libp2p)', () => {
  let net: WorldTestNet
  let host: PeerComputeNode
  let member: PeerComputeNode
  let intruder: PeerComputeNode

  beforeAll(async () => {
    net = await startWorldTestNet([{ id: 'balls', parent: 'overworld', rules: {}, world: BALL_WORLD }])
    host = await net.node('host')
    member = await net.node('member')
    intruder = await net.node('intruder')
    await host.kernel.hostWorld('balls')
    await member.kernel.joinWorld('balls')
    await intruder.kernel.joinWorld('balls')
    await waitFor('both members to follow the host\'s poses', () => (member.getStatus().props?.received ?? 0) > 0 && (intruder.getStatus().props?.received ?? 0) > 0)
  }, 60_000)

  afterAll(async () => { await net?.stop() }, 30_000)

  it('a member refuses poses that a peer other than the host publishes, and counts them', async () => {
    const ballX = (): number => host.kernel.subWorlds.propPoses()?.[0] ?? NaN
    await publishRaw(intruder, forged(1_000_000, 30))
    // The host hears it first (every member is linked to it) and does not take poses from anyone.
    await waitFor('the host to refuse the intruder\'s poses', () => (host.getStatus().props?.refused.notHost ?? 0) >= 1)
    expect(host.getStatus().props?.role).toBe('host')
    expect(Math.abs(ballX() - 2)).toBeLessThan(0.5)
    // Nor is it passed on: the member never sees the ball at x = 30.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(Math.abs((member.kernel.subWorlds.propPoses()?.[0] ?? NaN) - 2)).toBeLessThan(0.5)
    expect(member.getStatus().props?.refused.notHost).toBe(0)
  })

  it('a member refuses malformed, oversized and out-of-range messages even from the host, by reason', async () => {
    const before = member.getStatus().props?.refused ?? { decode: 0, size: 0, shape: 0 }
    await publishRaw(host, new TextEncoder().encode('{"ball":[0,0,0]} not the format at all'))
    await publishRaw(host, new Uint8Array(MAX_PROP_POSES_BYTES + 64).fill(1))
    const outOfRange = forged(1_000_001, 1)
    new DataView(outOfRange.buffer).setUint16(15, 7, true) // prop 7 of a world with two
    await publishRaw(host, outOfRange)
    await waitFor('the member to refuse all three', () => {
      const refused = member.getStatus().props?.refused
      return refused != null && refused.decode > before.decode && refused.size > before.size && refused.shape > before.shape
    })
    expect(member.getStatus().props?.received).toBeGreaterThan(0)
    expect(Math.abs((member.kernel.subWorlds.propPoses()?.[0] ?? NaN) - 2)).toBeLessThan(0.5)
  })

  it('takes a well-formed message from the host, and skips one older than the latest as stale', async () => {
    // Numbered ahead of the host's own messages, so those that follow are older too and are skipped.
    const seq = (host.getStatus().props?.published ?? 0) + 500
    await publishRaw(host, forged(seq, 4))
    await waitFor('the member to take the host\'s poses', () => Math.abs((member.kernel.subWorlds.propPoses()?.[0] ?? NaN) - 4) < 1e-3)
    const stale = member.getStatus().props?.stale ?? 0
    await publishRaw(host, forged(seq - 1, 8))
    await waitFor('the older message to be skipped', () => (member.getStatus().props?.stale ?? 0) > stale)
    expect(member.kernel.subWorlds.propPoses()?.[0]).toBeCloseTo(4, 3)
  })
})
