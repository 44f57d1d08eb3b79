import { multiaddr } from '@multiformats/multiaddr'
import { LoroDoc } from 'loro-crdt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNode } from '../../../src/createNode.js'
import { encodeStateMessage } from '../../../src/nodeKernel/state/stateMessages.js'
import { worldTopics } from '../../../src/nodeKernel/worldTopics.js'
import { nodePlatform } from '../../../src/platform/node/index.js'
import { testWorld, waitFor } from '../../fixtures/testWorld.js'
import type { PeerComputeNode } from '../../../src/createNode.js'

const PEERS = 20
const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#3366ff', mass: 1 }

async function peer(rootAddr: string, name: string, storageMode: 'local' | 'propagate' = 'local'): Promise<PeerComputeNode> {
  const node = await createNode({ platform: nodePlatform(), name, bootstrap: [rootAddr], storageMode })
  await node.start()
  await node.kernel.enterWorld(testWorld())
  return node
}

function snapshotOf(node: PeerComputeNode): string {
  const world = node.kernel.state.world()!
  return JSON.stringify(world.toJSON())
}

/** A few random intents from one node, as a player would make them. */
async function randomEdits(node: PeerComputeNode, seed: number): Promise<void> {
  let s = seed
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const state = node.kernel.state
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, rand() * 60))
    const known = state.world()!.entities()
    const pick = known[Math.floor(rand() * known.length)]
    const roll = rand()
    try {
      if (roll < 0.4 || pick == null) await state.placeProp({ prop: box, position: [rand() * 50, 0, rand() * 50] })
      else if (roll < 0.75) await state.moveProp(pick.id, { position: [rand() * 50, 1, rand() * 50] })
      else if (roll < 0.85) await state.removeProp(pick.id)
      else state.chat.send(`hello ${seed}/${i}`)
    } catch (err) {
      // Another node removed the entity first: that race is part of the test.
      if (!(err instanceof Error && err.name === 'UnknownEntityError')) throw err
    }
  }
}

describe('world state over real libp2p: a root and 20 nodes on loopback', () => {
  let root: PeerComputeNode
  let rootAddr: string
  const peers: PeerComputeNode[] = []

  beforeAll(async () => {
    root = await createNode({ platform: nodePlatform({ role: 'root' }) })
    await root.start()
    rootAddr = root.kernel.network.libp2p()!.getMultiaddrs()[0]!.toString()
    // Five at a time: twenty handshakes at once can outlast the dial timeout on a loaded machine.
    for (let i = 0; i < PEERS; i += 5) peers.push(...await Promise.all(Array.from({ length: 5 }, (_, j) => peer(rootAddr, `p${i + j}`))))
  }, 60_000)

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()))
    await root?.stop()
  })

  it('concurrent random edits on 20 nodes converge to identical documents', async () => {
    await Promise.all(peers.map((p, i) => randomEdits(p, i + 1)))
    const all = [root, ...peers]
    // Identical documents: the same state and the same version (an edit that changes nothing visible,
    // a move to where the entity already is, can still be on its way when the states first match).
    const versionOf = (n: PeerComputeNode): string => JSON.stringify(n.kernel.state.world()!.version())
    await waitFor('every document to match the root', () => {
      const expected = snapshotOf(root)
      const version = versionOf(root)
      return all.every((n) => snapshotOf(n) === expected && versionOf(n) === version)
    }, 40_000).catch((err: unknown) => {
      const versions = new Map<string, number>()
      for (const n of all) versions.set(versionOf(n), (versions.get(versionOf(n)) ?? 0) + 1)
      throw new Error(`${(err as Error).message}: ${all.filter((n) => snapshotOf(n) !== snapshotOf(root)).length} states differ from the root's; versions ${JSON.stringify([...versions.values()])}`)
    })
    expect(new Set(all.map(versionOf)).size).toBe(1)
    expect(root.kernel.state.world()!.entities().length).toBeGreaterThan(10)
    // Updates built on ones published before the root heard of the publisher's subscription wait
    // ('pending') until the publisher's sync pushes the gap; nothing is refused as bad input.
    expect(Object.keys(root.kernel.state.stats().refused).filter((r) => r !== 'pending')).toEqual([])
    expect(all.map((n) => n.getStatus().dropped)).toEqual(all.map(() => ({ presence: 0, state: 0, chat: 0 })))
  }, 60_000)

  it('a late joiner catches up through the sync protocol, not the topic', async () => {
    const late = await peer(rootAddr, 'late')
    try {
      await waitFor('the late joiner to match the root', () => snapshotOf(late) === snapshotOf(root), 10_000)
      expect(late.kernel.sync.stats().received).toBeGreaterThan(0)
      expect(late.kernel.state.world()!.chat()).toEqual(root.kernel.state.world()!.chat())
    } finally {
      await late.stop()
    }
  })

  it("with storage mode 'propagate' an intent resolves once the root holds the write", async () => {
    const p = await peer(rootAddr, 'keeper', 'propagate')
    try {
      const id = await p.kernel.state.placeProp({ prop: box, position: [7, 0, 7], name: 'kept' })
      expect(root.kernel.state.world()!.entity(id)?.name).toBe('kept')
      await p.kernel.state.moveProp(id, { position: [8, 0, 8] })
      expect(root.kernel.state.world()!.entity(id)?.transform?.position).toEqual([8, 0, 8])
    } finally {
      await p.stop()
    }
  })

  it("a flood of one peer's updates does not slow the others, and the flooder is cut off", async () => {
    const raw = await nodePlatform().createLibp2p({})
    await raw.start()
    try {
      await raw.dial(multiaddr(rootAddr))
      const topic = worldTopics('overworld').state
      raw.services.pubsub.subscribe(topic)
      const rootId = rootAddr.split('/').at(-1)!
      await waitFor('the root to see the flooder subscribe', () => raw.services.pubsub.getSubscribers(topic).some((p) => p.toString() === rootId))
      const junk = new LoroDoc()
      let flooding = true
      const flood = (async () => {
        for (let i = 0; flooding && raw.getConnections().length > 0; i++) {
          junk.getMap('junk').set('k', i)
          junk.commit()
          await raw.services.pubsub.publish(topic, encodeStateMessage({ kind: 'update', update: junk.export({ mode: 'update' }) })).catch(() => {})
          if (i % 20 === 0) await new Promise((r) => setImmediate(r))
        }
      })()
      const [alice, bob] = [peers[0]!, peers[1]!]
      // What the root drops, and from whom: the flood costs the flooder alone, never alice or bob.
      const droppedFrom = new Set<string>()
      const onDropped = (e: CustomEvent<{ from: string }>): void => { droppedFrom.add(e.detail.from) }
      root.kernel.addEventListener('message:dropped', onDropped)
      try {
        for (let i = 0; i < 5; i++) {
          const id = await alice.kernel.state.placeProp({ prop: box, position: [i, 0, 0] })
          await waitFor('bob to see alice\'s prop', () => bob.kernel.state.world()!.entity(id) != null, 10_000)
        }
        await waitFor('the root to cut the flooder off', () => !root.getStatus().peers.some((p) => p.peerId === raw.peerId.toString()), 10_000)
        flooding = false
        await flood
      } finally {
        root.kernel.removeEventListener('message:dropped', onDropped)
      }
      expect(root.getStatus().dropped.state).toBeGreaterThan(20)
      expect([...droppedFrom]).toEqual([raw.peerId.toString()])
    } finally {
      await raw.stop()
    }
  }, 30_000)
})
