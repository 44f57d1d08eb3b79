import { generateSigningKey } from '@peercompute/signing'
import { DEFAULT_BASIS_RULES, RuleViolationError, generateHeightfield } from '@peercompute/world-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topologyTarget } from '../../../src/nodeKernel/network/WorldTopology.js'
import { terrainParams } from '../../../src/nodeKernel/compute/terrain/terrainParams.js'
import type { PeerComputeNode } from '../../../src/createNode.js'
import type { NodeStatus } from '../../../src/nodeKernel/NodeKernel.js'
import { activeHandles, describeHandles, waitFor } from '../../fixtures/testWorld.js'
import { publish, signedWorldBundle } from '../worlds/worldBundles.js'
import { startWorldTestNet } from '../worlds/worldTestNet.js'
import type { WorldTestNet } from '../worlds/worldTestNet.js'

describe('topologyTarget', () => {
  const network = (topology: 'node' | 'hierarchy' | 'distributed' | 'emergent', maxMeshPeers = 32) => ({ network: { topology, maxMeshPeers } })

  it("takes the world's rule, and the node's own topology where the rule is 'node' or no rules apply", () => {
    expect(topologyTarget({ parent: 'host', rules: network('distributed', 6) }, 'hierarchy')).toEqual({ topology: 'distributed', parent: 'host', maxMeshPeers: 6 })
    expect(topologyTarget({ parent: 'root', rules: network('node') }, 'emergent')).toEqual({ topology: 'emergent', parent: 'root', maxMeshPeers: 32 })
    expect(topologyTarget({ parent: 'root', rules: DEFAULT_BASIS_RULES }, 'distributed')).toEqual({ topology: 'distributed', parent: 'root', maxMeshPeers: 32 })
    expect(topologyTarget({ parent: 'root', rules: null }, 'hierarchy')).toEqual({ topology: 'hierarchy', parent: 'root', maxMeshPeers: 32 })
  })
})

const ids = (links: NodeStatus['links'], role: NodeStatus['links'][number]['role']): string[] => links.filter((l) => l.role === role).map((l) => l.peerId).sort()

describe("a world's network rule: its members re-link under its host (real root, real libp2p)", () => {
  let net: WorldTestNet
  let rootPeer: string
  let host: PeerComputeNode
  let players: PeerComputeNode[]
  let baseline = 0
  let baselineHandles = ''
  const peerIdOf = (n: PeerComputeNode): string => n.getStatus().peerId ?? ''

  beforeAll(async () => {
    // Before the root: the last test stops it too, as what a node leaves open may be closed by the root's side only.
    baseline = activeHandles()
    baselineHandles = describeHandles()
    net = await startWorldTestNet([
      { id: 'mesh', parent: 'overworld', rules: { network: { topology: 'distributed' } } },
      // A parent that locks its network rules after a child that sets them was published: the child breaks them now.
      { id: 'fenced', parent: 'overworld', rules: {} },
      { id: 'fenced-mesh', parent: 'fenced', rules: { network: { topology: 'distributed' } } },
      { id: 'fenced', version: '1.1.0', parent: 'overworld', rules: { descendants: { lock: ['network'] } } }
    ])
    rootPeer = net.root.peerId
    host = await net.node('host')
    players = [await net.node('p1'), await net.node('p2'), await net.node('p3')]
  }, 60_000)

  afterAll(async () => { await net?.stop() }, 30_000)

  it("three players of a 'distributed' world mesh with each other under its host", async () => {
    for (const p of players) expect(p.getStatus()).toMatchObject({ topology: 'hierarchy', links: expect.arrayContaining([expect.objectContaining({ peerId: rootPeer, role: 'parent' })]) })
    await host.kernel.hostWorld('mesh')
    for (const p of players) await p.kernel.joinWorld('mesh')
    const hostId = peerIdOf(host)
    const playerIds = players.map(peerIdOf)
    const others = (p: PeerComputeNode): string[] => playerIds.filter((id) => id !== peerIdOf(p)).sort()
    await waitFor('every player to link to the two others in a mesh', () => players.every((p) => ids(p.getStatus().links, 'mesh').join() === others(p).join()), 20_000)
      .catch((err: unknown) => { throw new Error(`${(err as Error).message}: ${JSON.stringify(players.map((p) => p.getStatus().links))}`) })
    for (const p of players) {
      const status = p.getStatus()
      expect(status).toMatchObject({ topology: 'distributed', parent: hostId, chain: ['overworld', 'mesh'] })
      expect(ids(status.links, 'parent')).toEqual([hostId])
      // The root is still connected, but no longer this node's parent.
      expect(status.links.find((l) => l.peerId === rootPeer)?.role).toBe('peer')
    }
    // The host is a member of the overworld (rule 'node'): it keeps its own topology under the root.
    await waitFor('the host to count the three players as its children', () => ids(host.getStatus().links, 'child').join() === [...playerIds].sort().join(), 10_000)
    expect(host.getStatus()).toMatchObject({ topology: 'hierarchy', parent: rootPeer })
    expect(ids(host.getStatus().links, 'parent')).toEqual([rootPeer])
  }, 60_000)

  it("a player's compute chunks go along its new links: the host and its two mesh mates", async () => {
    const [p1] = players as [PeerComputeNode]
    const terrain = { seed: 9, size: 64, resolution: 33, amplitude: 3 }
    const result = await p1.submitTask({
      type: 'cpu', kernel: 'terrain', input: terrainParams(terrain),
      distribute: { split: { kind: 'range', units: 33, unitsPerChunk: 2, outputPerUnit: 33 }, local: false }
    })
    expect(Object.keys(result.chunks?.byPeer ?? {}).sort()).toEqual([peerIdOf(host), ...players.slice(1).map(peerIdOf)].sort())
    expect(new Uint32Array(result.output.buffer, result.output.byteOffset, 33 * 33)).toEqual(new Uint32Array(generateHeightfield(terrain).buffer))
  }, 30_000)

  it("a player that leaves returns to the overworld's topology; the host and the mesh let it go", async () => {
    const [p1, p2, p3] = players as [PeerComputeNode, PeerComputeNode, PeerComputeNode]
    await p3.kernel.leaveWorld()
    const status = p3.getStatus()
    expect(status).toMatchObject({ topology: 'hierarchy', parent: rootPeer, chain: ['overworld'] })
    expect(ids(status.links, 'parent')).toEqual([rootPeer])
    expect(ids(status.links, 'mesh')).toEqual([])
    // It told the host it left: the host forgets it now, and the others' next member list drops it.
    await waitFor('the host to forget the player that left', () => !ids(host.getStatus().links, 'child').includes(peerIdOf(p3)), 10_000)
    await waitFor('the two players left to mesh with each other only', () =>
      ids(p1.getStatus().links, 'mesh').join() === peerIdOf(p2) && ids(p2.getStatus().links, 'mesh').join() === peerIdOf(p1), 20_000)
  }, 40_000)

  it('refuses a world that sets network rules its parent locks, naming network.topology', async () => {
    const [, , p3] = players as [PeerComputeNode, PeerComputeNode, PeerComputeNode]
    const joined = await p3.kernel.joinWorld('fenced-mesh').then(() => null, (err: unknown) => err)
    expect(joined).toBeInstanceOf(RuleViolationError)
    expect((joined as RuleViolationError).rule).toBe('rules.network.topology')
    expect((joined as Error).message).toContain("locked by 'fenced'")
    expect(p3.getStatus()).toMatchObject({ topology: 'hierarchy', parent: rootPeer, chain: ['overworld'] })
    // The root refuses to publish such a world in the first place.
    const bundle = await signedWorldBundle({ id: 'fenced-lan', parent: 'fenced', rules: { network: { topology: 'emergent' } } }, await generateSigningKey())
    await expect(publish(net.root.url, bundle)).rejects.toThrow(/network\.topology/)
  }, 30_000)

  it('when the host stops, the member that takes over links under the root and the other re-links under it', async () => {
    const [p1, p2, p3] = players as [PeerComputeNode, PeerComputeNode, PeerComputeNode]
    // The election takes the lowest peerId among the world's players: the one that left must be gone from them.
    await waitFor('the player that left to leave the others\' presence', () => [p1, p2].every((p) => p.getStatus().players.every((q) => q.peerId !== peerIdOf(p3))), 15_000)
    const [first, second] = [p1, p2].sort((x, y) => (peerIdOf(x) < peerIdOf(y) ? -1 : 1)) as [PeerComputeNode, PeerComputeNode]
    await host.stop()
    await waitFor('the other member to re-link under the new host', () =>
      second.getStatus().parent === peerIdOf(first) && ids(second.getStatus().links, 'parent').join() === peerIdOf(first), 15_000)
    expect(first.getStatus().hosting?.world).toBe('mesh')
    expect(second.getStatus()).toMatchObject({ topology: 'distributed', chain: ['overworld', 'mesh'] })
    // The new host is a member of the overworld: its own topology, under the root (not the host that left).
    await waitFor('the new host to link under the root', () => ids(first.getStatus().links, 'parent').join() === rootPeer, 10_000)
    expect(first.getStatus()).toMatchObject({ topology: 'hierarchy', parent: rootPeer })
    await waitFor('the new host to count the other member as its child', () => ids(first.getStatus().links, 'child').join() === peerIdOf(second), 15_000)
  }, 60_000)

  it('stopped nodes, after switching topologies, and the root leave no open handles', { timeout: 30_000 }, async () => {
    await Promise.all(players.map((n) => n.stop()))
    // The root goes too: it keeps a compute worker once it ran a chunk for a player, and a WebSocket
    // whose close handshake it has not answered yet on a loaded machine (ws waits up to 30 s for it).
    await net.stop()
    await waitFor(`handles to return to the baseline (${baseline})`, () => activeHandles() <= baseline, 20_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; at the baseline: ${baselineHandles}; now: ${describeHandles()}`)
    })
  })
})
