import { multiaddr } from '@multiformats/multiaddr'
import { EphemeralStore } from 'loro-crdt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNode } from '../../src/createNode.js'
import { worldTopics } from '../../src/nodeKernel/worldTopics.js'
import { nodePlatform } from '../../src/platform/node/index.js'
import { activeHandles, testWorld, waitFor } from '../fixtures/testWorld.js'
import type { PeerComputeNode } from '../../src/createNode.js'
import type { KernelLibp2p } from '../../src/platform/Platform.js'

const topics = worldTopics('overworld')

describe('NodeKernel over real libp2p (root + peers on loopback)', () => {
  let baseline = 0
  let root: PeerComputeNode
  let alice: PeerComputeNode
  let bob: PeerComputeNode
  let rootAddr: string

  beforeAll(async () => {
    baseline = activeHandles()
    root = await createNode({ platform: nodePlatform({ role: 'root' }) })
    await root.start()
    rootAddr = root.kernel.network.libp2p()!.getMultiaddrs()[0]!.toString()
    alice = await createNode({ platform: nodePlatform(), name: 'alice', bootstrap: [rootAddr] })
    bob = await createNode({ platform: nodePlatform(), name: 'bob', bootstrap: [rootAddr] })
    await Promise.all([alice.start(), bob.start()])
    await Promise.all([alice.kernel.enterWorld(testWorld()), bob.kernel.enterWorld(testWorld())])
  })

  afterAll(async () => {
    await Promise.all([alice?.stop(), bob?.stop()])
    await root?.stop()
  })

  it('peers see each other in getStatus().players, with positions updating', async () => {
    alice.kernel.setPose({ position: [1, 2, 3], yaw: 0.5, velocity: [0, 0, 0] })
    const bobId = bob.getStatus().peerId!
    await waitFor('alice to see bob', () => alice.getStatus().players.some((p) => p.peerId === bobId && p.name === 'bob'))
    await waitFor('bob to see alice at (1,2,3)', () => bob.getStatus().players.some((p) => p.name === 'alice' && p.position[0] === 1 && p.position[2] === 3))
    alice.kernel.setPose({ position: [5, 2, -4], yaw: 1, velocity: [1, 0, 0] })
    await waitFor('bob to see alice move', () => bob.getStatus().players.some((p) => p.name === 'alice' && p.position[0] === 5 && p.yaw === 1))
    const self = alice.getStatus().players.find((p) => p.self)
    expect(self?.name).toBe('alice')
    const remote = bob.kernel.state.presence.players().find((p) => p.name === 'alice')!
    expect(remote.velocity).toEqual([1, 0, 0])
    expect(remote.receivedAt).toBeGreaterThan(0)
    expect(alice.getStatus().peers.find((p) => rootAddr.endsWith(p.peerId))?.transport).toBe('websockets')
    await waitFor('a ping to the root', () => alice.getStatus().pingMs != null)
  })

  it('chat converges on every node, the root included', async () => {
    alice.kernel.state.chat.send('hello from alice')
    bob.kernel.state.chat.send('hello from bob')
    const texts = (n: PeerComputeNode) => n.kernel.state.chat.messages().map((m) => m.text)
    await waitFor('chat to converge', () => [alice, bob, root].every((n) => texts(n).length === 2))
    expect(texts(alice)).toEqual(texts(bob))
    expect(texts(root)).toEqual(texts(alice))
    expect(texts(alice).sort()).toEqual(['hello from alice', 'hello from bob'])
  })

  it('a late joiner gets the chat history', async () => {
    const carol = await createNode({ platform: nodePlatform(), name: 'carol', bootstrap: [rootAddr] })
    try {
      await carol.start()
      await carol.kernel.enterWorld(testWorld())
      await waitFor('carol to get history', () => carol.kernel.state.chat.messages().length === 2)
    } finally {
      await carol.stop()
    }
  })

  it('drops and counts malformed, oversized and spoofed presence; never lists a spoofed player', async () => {
    const raw = await rawNode(rootAddr)
    try {
      const before = root.getStatus().dropped.presence
      const aliceId = alice.getStatus().peerId!
      const spoof = new EphemeralStore(30_000)
      spoof.set(aliceId, { name: 'mallory', p: [66, 6, 6], yaw: 0, v: [0, 0, 0], t: Date.now() })
      const badShape = new EphemeralStore(30_000)
      badShape.set(raw.peerId.toString(), { name: 'x', p: 'nope' })
      const pubsub = raw.services.pubsub
      await pubsub.publish(topics.presence, new Uint8Array([1, 2, 3, 4, 5]))
      await pubsub.publish(topics.presence, new Uint8Array(5000))
      await pubsub.publish(topics.presence, spoof.encode(aliceId))
      await pubsub.publish(topics.presence, badShape.encodeAll())
      spoof.destroy()
      badShape.destroy()
      await waitFor('the root to drop 4 messages', () => root.getStatus().dropped.presence >= before + 4)
      expect(bob.getStatus().players.some((p) => p.name === 'mallory')).toBe(false)
      expect(root.getStatus().players.some((p) => p.name === 'mallory')).toBe(false)
    } finally {
      await raw.stop()
    }
  })

  it('disconnects a presence flooder while the others keep receiving', async () => {
    const raw = await rawNode(rootAddr)
    try {
      const rawId = raw.peerId.toString()
      const store = new EphemeralStore(30_000)
      for (let i = 0; i < 400 && raw.getConnections().length > 0; i++) {
        store.set(rawId, { name: 'flood', p: [i, 0, 0], yaw: 0, v: [0, 0, 0], t: Date.now() })
        await raw.services.pubsub.publish(topics.presence, store.encode(rawId)).catch(() => {})
      }
      store.destroy()
      await waitFor('the root to drop the flooder', () => !root.getStatus().peers.some((p) => p.peerId === rawId))
      expect(root.getStatus().dropped.presence).toBeGreaterThan(100)
      bob.kernel.setPose({ position: [9, 2, 9], yaw: 0, velocity: [0, 0, 0] })
      await waitFor('alice to keep seeing bob move', () => alice.getStatus().players.some((p) => p.name === 'bob' && p.position[0] === 9))
    } finally {
      await raw.stop()
    }
  })

  it('publishes the physics avatar pose, driven by input actions', async () => {
    const dave = await createNode({ platform: nodePlatform(), name: 'dave', bootstrap: [rootAddr], enablePhysics: true })
    try {
      await dave.start()
      await dave.kernel.enterWorld(testWorld())
      await waitFor('a physics frame', () => dave.kernel.physics?.avatar() != null, 20_000)
      const start = dave.kernel.physics!.avatar()!.position
      dave.kernel.input.setAxis('moveForward', 1)
      await waitFor('dave to walk', () => Math.abs(dave.kernel.physics!.avatar()!.position[2] - start[2]) > 0.5)
      const now = dave.kernel.physics!.avatar()!.position
      await waitFor('alice to see dave walking', () => alice.getStatus().players.some((p) => p.name === 'dave' && Math.abs(p.position[2] - start[2]) > 0.5))
      expect(now[1]).toBeGreaterThan(-1)
    } finally {
      await dave.stop()
    }
  })

  it('stop() leaves no open handles', async () => {
    await Promise.all([alice.stop(), bob.stop()])
    await root.stop()
    expect(alice.getStatus().started).toBe(false)
    await waitFor(`handles to return to the baseline (${baseline})`, () => activeHandles() <= baseline, 5000)
  })
})

/** A bare libp2p node (no kernel, no validation) that subscribes to the presence topic via the root. */
async function rawNode(rootAddr: string): Promise<KernelLibp2p> {
  const node = await nodePlatform().createLibp2p({})
  await node.start()
  await node.dial(multiaddr(rootAddr))
  node.services.pubsub.subscribe(topics.presence)
  const rootId = rootAddr.split('/').at(-1)!
  await waitFor('the root to be a presence subscriber', () => node.services.pubsub.getSubscribers(topics.presence).some((p) => p.toString() === rootId))
  return node
}
