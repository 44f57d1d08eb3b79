/** A shaped path between two nodes: one-way latency and bandwidth. */
export interface LinkShape {
  /** One-way latency, ms. */
  latencyMs: number
  /** Megabits per second. */
  mbps: number
}

export interface ShapedNetworkInit {
  /** Inside a group (a LAN): a link per pair. @default { latencyMs: 1, mbps: 200 } */
  lan?: LinkShape
  /** Each group's uplink and downlink, shared by all its members' traffic to other groups. @default { latencyMs: 20, mbps: 8 } */
  uplink?: LinkShape
  /** The group a node belongs to; nodes of no group (the root, "the cloud") have an unshaped uplink. */
  groupOf(peerId: string): string | null
}

/** Bytes counted per group, for the simulator's report. */
export interface GroupTraffic { up: number; down: number }

interface Queue { free: number }

/**
 * A model of links between in-process nodes: groups of nodes that are fast inside (a LAN: a link
 * per pair) and share one slow uplink and downlink toward everyone else. Each chunk a connection
 * sends is given an arrival time by the queues it crosses (FIFO, bandwidth-limited, plus latency);
 * `shapedTransport` delays delivery to that time. Bytes that cross a group's boundary are counted.
 */
export class ShapedNetwork {
  private readonly lan: LinkShape
  private readonly uplink: LinkShape
  private readonly pairs = new Map<string, Queue>()
  private readonly ups = new Map<string, Queue>()
  private readonly downs = new Map<string, Queue>()
  private readonly traffic = new Map<string, GroupTraffic>()
  private readonly overrides = new Map<string, LinkShape>()

  constructor(private readonly init: ShapedNetworkInit) {
    this.lan = init.lan ?? { latencyMs: 1, mbps: 200 }
    this.uplink = init.uplink ?? { latencyMs: 20, mbps: 8 }
  }

  groupOf(peerId: string): string | null { return this.init.groupOf(peerId) }

  /** Changes the link between two nodes of one group (both directions), e.g. to slow it down. */
  setPairShape(a: string, b: string, shape: LinkShape): void {
    this.overrides.set(pairKey(a, b), shape)
  }

  /** Bytes that crossed each group's uplink (up) and downlink (down) so far. */
  groupTraffic(): Map<string, GroupTraffic> { return new Map([...this.traffic].map(([g, t]) => [g, { ...t }])) }

  /** Sum of bytes over every group's uplink and downlink. */
  uplinkBytes(): number {
    let total = 0
    for (const t of this.traffic.values()) total += t.up + t.down
    return total
  }

  resetCounters(): void { this.traffic.clear() }

  /** When `bytes` sent now from `from` to `to` arrive (ms, performance.now() clock). */
  schedule(from: string, to: string, bytes: number, now = performance.now()): number {
    const gFrom = this.groupOf(from)
    const gTo = this.groupOf(to)
    if (gFrom != null && gFrom === gTo) {
      const shape = this.overrides.get(pairKey(from, to)) ?? this.lan
      return this.cross(this.queue(this.pairs, `${from}>${to}`), now, bytes, shape) + shape.latencyMs
    }
    let t = now
    if (gFrom != null) {
      t = this.cross(this.queue(this.ups, gFrom), t, bytes, this.uplink)
      this.count(gFrom).up += bytes
    }
    t += this.uplink.latencyMs
    if (gTo != null) {
      t = this.cross(this.queue(this.downs, gTo), t, bytes, this.uplink)
      this.count(gTo).down += bytes
    }
    return t
  }

  private cross(queue: Queue, at: number, bytes: number, shape: LinkShape): number {
    queue.free = Math.max(at, queue.free) + (bytes * 8) / (shape.mbps * 1000)
    return queue.free
  }

  private queue(map: Map<string, Queue>, key: string): Queue {
    let q = map.get(key)
    if (q == null) map.set(key, q = { free: 0 })
    return q
  }

  private count(group: string): GroupTraffic {
    let t = this.traffic.get(group)
    if (t == null) this.traffic.set(group, t = { up: 0, down: 0 })
    return t
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}
