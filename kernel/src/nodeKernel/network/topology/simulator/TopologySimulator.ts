import '../../../../platform/node/polyfills.js'
import { ping } from '@libp2p/ping'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { ShapedNetwork } from './ShapedNetwork.js'
import { shapedTransport } from './shapedTransport.js'
import { TopologyService } from '../TopologyService.js'
import type { LinkShape } from './ShapedNetwork.js'
import type { Topology } from '../../NetworkManager.js'
import type { TopologyServiceInit } from '../TopologyService.js'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

export interface SimulationInit {
  topology: Topology
  /** Groups (LANs) and nodes in each. */
  groups: number
  perGroup: number
  lan?: LinkShape
  uplink?: LinkShape
  /** Passed to every node's TopologyService (thresholds, rounds, mesh size). */
  service?: Partial<Omit<TopologyServiceInit, 'topology' | 'parent'>>
}

/** One simulated node. */
export interface SimNode { libp2p: Libp2p<{ ping: Ping }>; topology: TopologyService; group: string | null; id: string }

/** What a workload run measured. */
export interface WorkloadReport {
  topology: Topology
  /** Bytes over every group's uplink and downlink during the workload. */
  uplinkBytes: number
  /** Deliveries seen / expected (every member gets every other member's messages). */
  delivered: number
  expected: number
  p50Ms: number
  p99Ms: number
  /** Deliveries seen / expected per `receiverGroup<originGroup` pair ('root' has no group), to tell which way a loss went. */
  byGroups: Record<string, { delivered: number; expected: number }>
}

let nextSim = 0

/**
 * Many libp2p nodes in one process over real streams (the memory transport shaped per pair by
 * ShapedNetwork, plaintext + yamux: encryption only costs CPU here), each running a
 * TopologyService under one root. Groups are fast inside and share a slow uplink.
 */
export class TopologySimulator {
  readonly network: ShapedNetwork
  readonly nodes: SimNode[] = []
  root!: SimNode
  private readonly groupOf = new Map<string, string>()

  constructor(private readonly init: SimulationInit) {
    this.network = new ShapedNetwork({
      groupOf: (id) => this.groupOf.get(id) ?? null,
      ...(init.lan == null ? {} : { lan: init.lan }),
      ...(init.uplink == null ? {} : { uplink: init.uplink })
    })
  }

  /** Starts the root, then every member (a few at a time, as people arrive). */
  async start(): Promise<void> {
    const sim = nextSim++
    this.root = await this.makeNode(`/memory/sim${sim}-root`, null, null)
    const rootAddr = this.root.libp2p.getMultiaddrs()[0]
    if (rootAddr == null) throw new Error('The simulated root has no address.')
    const specs: Array<{ group: string; addr: string }> = []
    for (let g = 0; g < this.init.groups; g++) for (let i = 0; i < this.init.perGroup; i++) specs.push({ group: `g${g}`, addr: `/memory/sim${sim}-g${g}-n${i}` })
    for (let i = 0; i < specs.length; i += 10) {
      const made = await Promise.all(specs.slice(i, i + 10).map((s) => this.makeNode(s.addr, s.group, this.root.id, rootAddr.toString())))
      this.nodes.push(...made)
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes, this.root].map(async (n) => {
      await n.topology.stop()
      await n.libp2p.stop()
    }))
  }

  /** Stops one node (a member leaving), removing it from the simulation. */
  async stopNode(node: SimNode): Promise<void> {
    this.nodes.splice(this.nodes.indexOf(node), 1)
    await node.topology.stop()
    await node.libp2p.stop()
  }

  /**
   * Every member broadcasts `perNode` messages of `bytes` bytes, `intervalMs` apart (members
   * staggered); waits for deliveries to settle and reports uplink bytes and latency.
   */
  async workload(opts: { perNode: number; bytes: number; intervalMs: number; settleMs?: number }): Promise<WorkloadReport> {
    const latencies: number[] = []
    const byGroups: WorkloadReport['byGroups'] = {}
    const pair = (to: string | null, from: string | null): { delivered: number; expected: number } => (byGroups[`${to ?? 'root'}<${from ?? 'root'}`] ??= { delivered: 0, expected: 0 })
    for (const to of this.nodes) for (const from of this.nodes) if (to !== from) pair(to.group, from.group).expected += opts.perNode
    const off = this.nodes.map((n) => {
      const on = (e: CustomEvent<{ latencyMs: number; origin: string }>): void => {
        latencies.push(e.detail.latencyMs)
        pair(n.group, this.groupOf.get(e.detail.origin) ?? null).delivered++
      }
      n.topology.addEventListener('message', on)
      return () => { n.topology.removeEventListener('message', on) }
    })
    this.network.resetCounters()
    const expected = this.nodes.length * (this.nodes.length - 1) * opts.perNode
    const payload = new Uint8Array(opts.bytes)
    await Promise.all(this.nodes.map(async (n, i) => {
      await sleep((opts.intervalMs * i) / this.nodes.length)
      for (let k = 0; k < opts.perNode; k++) {
        n.topology.broadcast(payload)
        await sleep(opts.intervalMs)
      }
    }))
    const deadline = Date.now() + (opts.settleMs ?? 5000)
    while (latencies.length < expected && Date.now() < deadline) await sleep(50)
    off.forEach((f) => { f() })
    const sorted = latencies.sort((a, b) => a - b)
    const at = (q: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN) * 10) / 10
    return { topology: this.init.topology, uplinkBytes: this.network.uplinkBytes(), delivered: latencies.length, expected, p50Ms: at(0.5), p99Ms: at(0.99), byGroups }
  }

  private async makeNode(listen: string, group: string | null, parent: string | null, bootstrap?: string): Promise<SimNode> {
    const libp2p = await createLibp2p({
      start: false,
      addresses: { listen: [listen] },
      transports: [shapedTransport(this.network)],
      connectionEncrypters: [plaintext()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: 2000, inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 1000 },
      // Hundreds of nodes share one event loop: its lag must not read as a dead peer.
      connectionMonitor: { enabled: false },
      services: { ping: ping() }
    })
    const id = libp2p.peerId.toString()
    if (group != null) this.groupOf.set(id, group)
    await libp2p.start()
    if (bootstrap != null) {
      await libp2p.dial(multiaddr(bootstrap))
    }
    const topology = new TopologyService({ ...this.init.service, topology: this.init.topology, parent }, { libp2p })
    await topology.start()
    return { libp2p, topology, group, id }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
