import { afterEach, describe, expect, it } from 'vitest'
import { TopologySimulator } from '../../../../src/nodeKernel/network/topology/simulator/TopologySimulator.js'
import { waitFor } from '../../../fixtures/testWorld.js'
import type { SimNode, SimulationInit, WorkloadReport } from '../../../../src/nodeKernel/network/topology/simulator/TopologySimulator.js'
import type { Topology } from '../../../../src/nodeKernel/network/NetworkManager.js'

// In-process links are timed by one shared event loop: thresholds leave room for its lag, and the
// uplink's latency is well above it (see bench/src/compute/topologyBench.ts for 100+ nodes).
const SHAPE: Omit<SimulationInit, 'topology'> = {
  groups: 4,
  perGroup: 5,
  lan: { latencyMs: 1, mbps: 200 },
  // The uplink is slow enough that event-loop lag of a loaded 2-core machine (other test files run
  // beside this one) never reads a LAN link as slow or the uplink as fast.
  uplink: { latencyMs: 120, mbps: 8 },
  service: { roundMs: 500, remeasureMs: 2000, probeBytes: 32 * 1024, thresholds: { enterRttMs: 60, exitRttMs: 120, enterMbps: 4, exitMbps: 2 } }
}

const groupsOf = (sim: TopologySimulator): Map<string, SimNode[]> => {
  const out = new Map<string, SimNode[]>()
  for (const n of sim.nodes) out.set(n.group ?? '', [...(out.get(n.group ?? '') ?? []), n])
  return out
}

/** Every group is one cluster whose members all name the same live gateway from the group. */
const clustered = (sim: TopologySimulator): boolean => [...groupsOf(sim).values()].every((members) => {
  const ids = members.map((m) => m.id).sort()
  const gateways = new Set(members.map((m) => m.topology.status().gateway))
  const gateway = [...gateways][0]
  return gateways.size === 1 && gateway != null && ids.includes(gateway) &&
    members.every((m) => JSON.stringify(m.topology.status().cluster?.members) === JSON.stringify(ids))
})

/** Each node's cluster, gateway, errors and measured links to its group mates, for a failure message. */
const describeClusters = (sim: TopologySimulator): string => [...groupsOf(sim)].map(([g, ms]) => {
  const short = (id: string | null | undefined): string => id?.slice(-4) ?? '-'
  const lines = ms.map((m) => {
    const s = m.topology.status()
    const mates = ms.filter((o) => o !== m).map((o) => {
      const l = s.links.find((x) => x.peerId === o.id)
      // Private state, read for the failure message only: is it a known member, and does it report this node fast?
      const inner = m.topology as unknown as { members: Map<string, unknown>; reports: Map<string, { fast: string[] }>; measuring: Map<string, unknown> }
      const flags = `${inner.members.has(o.id) ? 'm' : '-'}${inner.reports.get(o.id)?.fast.includes(m.id) === true ? 'r' : '-'}${inner.measuring.has(o.id) ? '…' : ''}`
      return l == null ? `${short(o.id)}:none,${flags}` : `${short(o.id)}:${l.rttMs?.toFixed(1)}ms/${l.mbps}Mb,${flags}`
    })
    const relay = (m.topology as unknown as { relay: { failures: number; lastFailure: string | null } }).relay
    return `  ${short(m.id)} gw ${short(s.gateway)} [${s.cluster?.members.map(short).join(',')}] errors ${m.topology.errors} (${m.topology.lastError ?? ''}) relay failures ${relay.failures} (${relay.lastFailure ?? ''}) links ${mates.join(' ')}`
  })
  return `${g}:\n${lines.join('\n')}`
}).join('\n') + `\nroot: ${sim.root.topology.status().links.filter((l) => l.role === 'child').length} children, relay failures ${(sim.root.topology as unknown as { relay: { failures: number; lastFailure: string | null } }).relay.failures} (${(sim.root.topology as unknown as { relay: { lastFailure: string | null } }).relay.lastFailure ?? ''})`

/** Who each node routes through and whom the root relays to: a workload runs once this holds still. */
const routing = (sim: TopologySimulator): string => JSON.stringify([
  sim.nodes.map((n) => [n.topology.status().gateway, n.topology.status().cluster?.members]),
  sim.root.topology.status().links.filter((l) => l.relay).map((l) => l.peerId)
])

/**
 * Waits until `check` holds and the routing has not changed for two seconds (four rounds): an
 * election still settling may move the gateway once more, and a message sent during a move can miss it.
 */
async function waitSteady(what: string, sim: TopologySimulator, check: () => boolean, timeoutMs: number): Promise<void> {
  let since = Date.now()
  let last = ''
  await waitFor(what, () => {
    const now = routing(sim)
    if (!check() || now !== last) { last = now; since = Date.now(); return false }
    return Date.now() - since >= 2000
  }, timeoutMs).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n${describeClusters(sim)}`)
  })
}

/** Asserts every message reached every member; on a loss, says which way it went and how the clusters stood. */
const expectAllDelivered = (sim: TopologySimulator, report: WorkloadReport): void => {
  if (report.delivered === report.expected) return
  const short = (id: string): string => id.slice(-4)
  const lost = Object.entries(report.byGroups).filter(([, c]) => c.delivered !== c.expected).map(([k, c]) => `${k} ${c.delivered}/${c.expected}`)
  const relays = sim.root.topology.status().links.filter((l) => l.relay).map((l) => `${short(l.peerId)}(${sim.nodes.find((n) => n.id === l.peerId)?.group ?? 'gone'})`)
  expect.fail(`${report.delivered}/${report.expected} delivered; short pairs (receiver<origin): ${lost.join(', ')}\nroot relays to: ${relays.join(' ')}\n${describeClusters(sim)}`)
}

describe('TopologyService over shaped in-memory libp2p links', () => {
  const sims: TopologySimulator[] = []
  const simulate = async (topology: Topology): Promise<TopologySimulator> => {
    const sim = new TopologySimulator({ ...SHAPE, topology })
    sims.push(sim)
    await sim.start()
    return sim
  }
  afterEach(async () => { await Promise.all(sims.splice(0).map((s) => s.stop())) })

  // Uplink bytes of the same workload, compared by the emergent test below.
  const uplink = new Map<Topology, number>()

  it('hierarchy links each node to its parent only; distributed forms a full mesh', async () => {
    for (const topology of ['hierarchy', 'distributed'] as const) {
      const sim = await simulate(topology)
      if (topology === 'hierarchy') {
        await waitFor('every node to join the root', () => sim.root.topology.status().links.filter((l) => l.role === 'child').length === 20)
        expect(sim.nodes.every((n) => n.topology.status().links.every((l) => l.role === 'parent'))).toBe(true)
      } else {
        await waitFor('a full mesh', () => sim.nodes.every((n) => n.topology.status().links.filter((l) => l.role === 'mesh').length === 19), 20_000)
      }
      const report = await sim.workload({ perNode: 2, bytes: 200, intervalMs: 100 })
      expectAllDelivered(sim, report)
      uplink.set(topology, report.uplinkBytes)
      await Promise.all(sims.splice(0).map((s) => s.stop()))
    }
  })

  it('emergent: finds the groups, elects one gateway each, uses the least uplink, and re-forms when a gateway leaves or a link slows', async () => {
    const sim = await simulate('emergent')
    await waitSteady('clusters to match the groups', sim, () => clustered(sim), 45_000)
    const rootRelays = () => sim.root.topology.status().links.filter((l) => l.role === 'child').length
    expect(rootRelays()).toBe(20)
    const g0 = groupsOf(sim).get('g0') ?? []
    const gateway = g0[0]?.topology.status().gateway
    const status = g0.find((n) => n.id === gateway)?.topology.status()
    expect(status?.links.find((l) => l.role === 'parent')?.rttMs).toBeGreaterThan(120)
    expect(status?.links.filter((l) => l.role === 'cluster').every((l) => (l.mbps ?? 0) > 2 && (l.rttMs ?? 999) < 120)).toBe(true)

    const report = await sim.workload({ perNode: 2, bytes: 200, intervalMs: 100 })
    expectAllDelivered(sim, report)
    // The same workload crossed the uplinks least in clusters (measured above for the other two).
    expect(report.uplinkBytes).toBeLessThan(Math.min(uplink.get('hierarchy') ?? Infinity, uplink.get('distributed') ?? Infinity))

    await sim.stopNode(g0.find((n) => n.id === gateway) as SimNode)
    // The new gateway tells the parent at once; the parent relays to it from then on.
    const newGateway = (): string | null | undefined => groupsOf(sim).get('g0')?.[0]?.topology.status().gateway
    await waitSteady('g0 to elect a new gateway that the root relays to', sim, () => clustered(sim) && newGateway() !== gateway &&
      sim.root.topology.status().links.some((l) => l.peerId === newGateway() && l.relay), 20_000)
    const after = await sim.workload({ perNode: 1, bytes: 200, intervalMs: 100, settleMs: 10_000 })
    expectAllDelivered(sim, after)

    // A member's LAN slows (it moved to a poor Wi-Fi): it leaves its cluster and links to the root
    // on its own; the rest of its group stays one cluster.
    const g1 = groupsOf(sim).get('g1') ?? []
    const moved = g1.find((n) => n.id !== n.topology.status().gateway) as SimNode
    for (const mate of g1) if (mate !== moved) sim.network.setPairShape(moved.id, mate.id, { latencyMs: 150, mbps: 1 })
    const rest = g1.filter((n) => n !== moved).map((n) => n.id).sort()
    await waitSteady('the slowed member to leave its cluster, and the root to relay to it', sim, () =>
      JSON.stringify(moved.topology.status().cluster?.members) === JSON.stringify([moved.id]) && moved.topology.status().gateway === moved.id &&
      g1.filter((n) => n !== moved).every((n) => JSON.stringify(n.topology.status().cluster?.members) === JSON.stringify(rest)) &&
      sim.root.topology.status().links.some((l) => l.peerId === moved.id && l.relay), 50_000)
    const split = await sim.workload({ perNode: 1, bytes: 200, intervalMs: 100, settleMs: 10_000 })
    expectAllDelivered(sim, split)
  }, 180_000)

})
