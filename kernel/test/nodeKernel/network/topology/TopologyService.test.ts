import { afterEach, describe, expect, it } from 'vitest'
import { TopologySimulator } from '../../../../src/nodeKernel/network/topology/simulator/TopologySimulator.js'
import { waitFor } from '../../../fixtures/testWorld.js'
import type { SimNode, SimulationInit } from '../../../../src/nodeKernel/network/topology/simulator/TopologySimulator.js'
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
  service: { roundMs: 500, probeBytes: 32 * 1024, thresholds: { enterRttMs: 60, exitRttMs: 120, enterMbps: 4, exitMbps: 2 } }
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
      expect(report.delivered).toBe(report.expected)
      uplink.set(topology, report.uplinkBytes)
      await Promise.all(sims.splice(0).map((s) => s.stop()))
    }
  })

  // KNOWN DEFECT (issue 8, open): about one run in three, one node keeps a LAN mate measured as slow,
  // so its cluster lacks that mate and names another gateway (the failure message shows each node's
  // view). `npm test` runs this file with --retry 2 until the re-measurement logic is fixed.
  it('emergent: finds the groups, elects one gateway each, uses the least uplink, and re-forms when a gateway leaves', async () => {
    const sim = await simulate('emergent')
    await waitFor('clusters to match the groups', () => clustered(sim), 45_000).catch((err: unknown) => {
      const view = [...groupsOf(sim)].map(([g, ms]) => `${g}: ${ms.map((m) => `${m.id.slice(-4)}→gw ${m.topology.status().gateway?.slice(-4)} [${m.topology.status().cluster?.members.map((x) => x.slice(-4)).join(',')}]`).join('; ')}`)
      throw new Error(`${(err as Error).message}\n${view.join('\n')}`)
    })
    const rootRelays = () => sim.root.topology.status().links.filter((l) => l.role === 'child').length
    expect(rootRelays()).toBe(20)
    const g0 = groupsOf(sim).get('g0') ?? []
    const gateway = g0[0]?.topology.status().gateway
    const status = g0.find((n) => n.id === gateway)?.topology.status()
    expect(status?.links.find((l) => l.role === 'parent')?.rttMs).toBeGreaterThan(120)
    expect(status?.links.filter((l) => l.role === 'cluster').every((l) => (l.mbps ?? 0) > 2 && (l.rttMs ?? 999) < 120)).toBe(true)

    const report = await sim.workload({ perNode: 2, bytes: 200, intervalMs: 100 })
    expect(report.delivered).toBe(report.expected)
    // The same workload crossed the uplinks least in clusters (measured above for the other two).
    expect(report.uplinkBytes).toBeLessThan(Math.min(uplink.get('hierarchy') ?? Infinity, uplink.get('distributed') ?? Infinity))

    await sim.stopNode(g0.find((n) => n.id === gateway) as SimNode)
    await waitFor('g0 to elect a new gateway', () => clustered(sim) && (groupsOf(sim).get('g0')?.[0]?.topology.status().gateway ?? gateway) !== gateway, 20_000)
    // The new gateway registers with the parent as relay in the round that elected it; give that
    // round's join (one uplink round trip) time to land before measuring delivery again.
    await new Promise((resolve) => setTimeout(resolve, 4 * (SHAPE.service?.roundMs ?? 500)))
    const after = await sim.workload({ perNode: 1, bytes: 200, intervalMs: 100, settleMs: 10_000 })
    expect(after.delivered).toBe(after.expected)
  })

})
