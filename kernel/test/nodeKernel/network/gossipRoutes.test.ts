import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GossipRoutes, OFF_ROUTE_SCORE, offRoutesOf } from '../../../src/nodeKernel/network/gossipRoutes.js'
import { worldTopics } from '../../../src/nodeKernel/worldTopics.js'
import type { PeerComputeNode } from '../../../src/createNode.js'
import type { TopologyLink, TopologyStatus } from '../../../src/nodeKernel/network/topology/TopologyService.js'
import { waitFor } from '../../fixtures/testWorld.js'
import { startWorldTestNet } from '../worlds/worldTestNet.js'
import type { WorldTestNet } from '../worlds/worldTestNet.js'

const link = (peerId: string, role: TopologyLink['role']): TopologyLink => ({ peerId, role, rttMs: null, mbps: null, relay: false })
const status = (topology: TopologyStatus['topology'], links: TopologyLink[], gateway: string | null = null): TopologyStatus => ({
  topology, parent: 'P', cluster: null, gateway, links
})

describe('offRoutesOf: the connected peers world gossip must not take, by topology', () => {
  const siblings = (...ids: string[]) => (id: string) => ids.includes(id)
  const off = (st: TopologyStatus, isSibling: (id: string) => boolean): string[] => [...offRoutesOf(st, 'me', isSibling)].sort()

  it('hierarchy: a sibling it happens to be connected to, never the parent or a child', () => {
    expect(off(status('hierarchy', [link('P', 'parent'), link('C', 'child'), link('S', 'peer')]), siblings('S'))).toEqual(['S'])
  })

  it('distributed: siblings outside its mesh; the parent (the world host) and the mesh mates carry it', () => {
    const links = [link('P', 'parent'), link('M1', 'mesh'), link('M2', 'mesh'), link('R', 'peer')]
    expect(off(status('distributed', links), siblings('M1', 'M2', 'R'))).toEqual(['R'])
  })

  it('emergent: the parent too, unless this node is the gateway', () => {
    const links = [link('P', 'parent'), link('K', 'cluster'), link('X', 'peer')]
    expect(off(status('emergent', links, 'K'), siblings('K', 'X'))).toEqual(['P', 'X'])
    expect(off(status('emergent', links, 'me'), siblings('K', 'X'))).toEqual(['X'])
  })

  it('holds back no peer the topology does not place: one that has not joined yet, or any before the topology runs', () => {
    expect(off(status('hierarchy', [link('P', 'parent'), link('N', 'peer')]), siblings())).toEqual([])
    expect([...offRoutesOf(null, 'me', siblings('S'))]).toEqual([])
  })

  it('scores held-back peers below the publish threshold and above the graylist', () => {
    const routes = new GossipRoutes()
    expect(routes.score('anyone')).toBe(0)
    routes.follow(() => new Set(['S']))
    expect(routes.score('P')).toBe(0)
    expect(routes.score('S')).toBe(OFF_ROUTE_SCORE)
    // gossipsub's default thresholds: publish -50, graylist -80.
    expect(OFF_ROUTE_SCORE).toBeLessThan(-50)
    expect(OFF_ROUTE_SCORE).toBeGreaterThan(-80)
  })
})

/** The peers that handed `receiver` each chat message of `world` (gossipsub's propagation source), in order. */
function handedOverBy(receiver: PeerComputeNode, world: string): string[] {
  const out: string[] = []
  const libp2p = receiver.kernel.network.libp2p()
  if (libp2p == null) throw new Error('the receiver has no libp2p node')
  const topic = worldTopics(world).chat
  libp2p.services.pubsub.addEventListener('gossipsub:message', (event) => {
    if (event.detail.msg.topic === topic) out.push(event.detail.propagationSource.toString())
  })
  return out
}

describe("world gossip follows the topology's links (real root, real libp2p over loopback)", () => {
  let net: WorldTestNet
  let host: PeerComputeNode
  let p1: PeerComputeNode
  let p2: PeerComputeNode
  const peerIdOf = (n: PeerComputeNode): string => n.getStatus().peerId ?? ''

  beforeAll(async () => {
    net = await startWorldTestNet([
      { id: 'tree', parent: 'overworld', rules: { network: { topology: 'hierarchy' } } },
      { id: 'mesh', parent: 'overworld', rules: { network: { topology: 'distributed' } } }
    ])
    host = await net.node('host')
    p1 = await net.node('p1')
    p2 = await net.node('p2')
  }, 60_000)

  afterAll(async () => { await net?.stop() }, 30_000)

  /** p1 says five lines in `world`; resolves once p2's chat has them all. */
  async function sayFive(world: string, prefix: string): Promise<void> {
    const texts = Array.from({ length: 5 }, (_, i) => `${prefix} ${i}`)
    for (const text of texts) {
      p1.kernel.state.chat.send(text)
      await new Promise((r) => setTimeout(r, 50))
    }
    await waitFor(`p2 to have the five lines said in ${world}`, () => {
      const heard = new Set(p2.kernel.state.world()?.chat().map((c) => c.text))
      return texts.every((t) => heard.has(t))
    }, 15_000)
  }

  it("in a 'hierarchy' world, a player's chat reaches another through the host, though the two are linked directly", async () => {
    await host.kernel.hostWorld('tree')
    await p1.kernel.joinWorld('tree')
    await p2.kernel.joinWorld('tree')
    // A direct link between the two players, as a browser's WebRTC upgrade would make.
    const p2Addr = p2.kernel.network.libp2p()?.getMultiaddrs()[0]
    if (p2Addr == null) throw new Error('p2 listens on no address')
    await p1.kernel.network.libp2p()?.dial(multiaddr(p2Addr.toString()))
    const hostId = peerIdOf(host)
    await waitFor("both players to be the host's children", () => host.getStatus().links.filter((l) => l.role === 'child').length === 2, 15_000)
    const [pubsub1, pubsub2] = [p1, p2].map((p) => p.kernel.network.libp2p()?.services.pubsub)
    await waitFor('p1 and p2 to hold each other back as siblings under the host', () =>
      (pubsub1?.getScore(peerIdOf(p2)) ?? 0) < -50 && (pubsub2?.getScore(peerIdOf(p1)) ?? 0) < -50, 15_000)
    // Meshes are pruned at the next heartbeat (1 s).
    await new Promise((r) => setTimeout(r, 2500))
    const sources = handedOverBy(p2, 'tree')
    await sayFive('tree', 'up and down')
    // The host relays members' updates in batches (UpdateRelay): fewer messages than lines.
    expect(sources.length).toBeGreaterThanOrEqual(1)
    expect(new Set(sources)).toEqual(new Set([hostId]))
    await waitFor("p1's chat mesh to hold the host alone", () => pubsub1?.getMeshPeers(worldTopics('tree').chat).join() === hostId, 15_000)
  }, 60_000)

  it("in a 'distributed' world, the same two players' chat goes straight over their mesh link", async () => {
    await host.kernel.hostWorld('mesh')
    await p1.kernel.joinWorld('mesh')
    await p2.kernel.joinWorld('mesh')
    const [id1, id2] = [peerIdOf(p1), peerIdOf(p2)]
    await waitFor('the two players to be mesh mates', () => p1.getStatus().links.find((l) => l.peerId === id2)?.role === 'mesh' &&
      p2.getStatus().links.find((l) => l.peerId === id1)?.role === 'mesh', 20_000)
    await new Promise((r) => setTimeout(r, 2500))
    const sources = handedOverBy(p2, 'mesh')
    await sayFive('mesh', 'across')
    // The mesh link carries them straight from p1. The host is a route too and forwards them as well:
    // on a loaded machine its copy is sometimes first (the later copy is dropped as seen), so the
    // test asks for direct deliveries, where in a hierarchy there are none.
    expect(sources.length).toBeGreaterThanOrEqual(5)
    expect(sources.filter((s) => s === id1).length).toBeGreaterThanOrEqual(1)
    expect(new Set(sources)).toEqual(new Set(sources.filter((s) => s === id1 || s === peerIdOf(host))))
  }, 60_000)
})
