import { TypedEventEmitter, setMaxListeners } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_CLUSTER_THRESHOLDS, clusterId, electGateway } from './clusterRules.js'
import { LinkMeter } from './LinkMeter.js'
import { serveProbe } from './linkProbe.js'
import { RelayLinks } from './RelayLinks.js'
import { PROBE_PROTOCOL, TOPOLOGY_PROTOCOL, decodeRelayFrame, encodeRelayFrame, sendControl, serveControl } from './topologyWire.js'
import type { ClusterThresholds } from './clusterRules.js'
import type { Topology } from '../NetworkManager.js'
import type { ControlMessage, MemberInfo, RelayHeader } from './topologyWire.js'
import type { Libp2p, PeerId, Startable } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'


/** Largest full mesh ('distributed') unless `maxMeshPeers` says otherwise. */
export const DEFAULT_MAX_MESH_PEERS = 32

/** Round trips to the parent that count: the best of the last this many. */
const PARENT_RTT_SAMPLES = 5

export interface TopologyServiceInit {
  topology: Topology
  /** The parent's peerId (the root or the world's host); null on the root. */
  parent: string | null
  /** Largest full mesh ('distributed'); a bigger world keeps a ring of this many neighbours. @default 32 */
  maxMeshPeers?: number
  /** Period of membership, measurement and election rounds, ms. @default 1000 */
  roundMs?: number
  /** Random members measured per round while looking for cluster mates ('emergent'). @default 3 */
  sampleSize?: number
  /** Bytes of a throughput probe. @default 131072 */
  probeBytes?: number
  /** A fast link is measured again after this long, so a link that slows leaves the cluster. @default 5000 */
  remeasureMs?: number
  thresholds?: Partial<ClusterThresholds>
  /** The gateway stays unless another member reaches the parent this much faster. @default 10 */
  gatewayMarginMs?: number
}

export interface TopologyServiceComponents { libp2p: Libp2p<{ ping: Ping }> }

/** One link of this node, as NodeStatus shows it. */
export interface TopologyLink {
  peerId: string
  role: 'parent' | 'child' | 'cluster' | 'mesh' | 'peer'
  rttMs: number | null
  mbps: number | null
  /** A child this node relays traffic to and from (its cluster's gateway, or any child in 'hierarchy'). */
  relay: boolean
}

export interface TopologyStatus {
  topology: Topology
  parent: string | null
  /** 'emergent': this node's cluster (itself and its fast mates). */
  cluster: { id: string; members: string[] } | null
  /** 'emergent': the member that links the cluster to the parent. */
  gateway: string | null
  links: TopologyLink[]
}

/** A message spread along the topology, as delivered to each node once. */
export interface TopologyMessage { id: string; origin: string; payload: Uint8Array; latencyMs: number }

export interface TopologyEvents { message: CustomEvent<TopologyMessage>; change: CustomEvent<TopologyStatus> }

interface Report { fast: string[]; parentRttMs: number | null; gateway: string | null; at: number }

/**
 * Shapes how this node links to others and spreads messages along those links:
 * 'hierarchy' (parent and children; traffic goes up to the parent, which sends it down),
 * 'distributed' (a full mesh of the parent's members, up to `maxMeshPeers`), or 'emergent'
 * (clusters of mutually fast links with one elected gateway to the parent, re-formed as links
 * change or members leave). The parent keeps the member list and answers `join`s.
 */
export class TopologyService extends TypedEventEmitter<TopologyEvents> implements Startable {
  private readonly meter: LinkMeter
  private readonly relay: RelayLinks
  private readonly members = new Map<string, MemberInfo>()
  private readonly children = new Map<string, { relay: boolean; addrs: string[] }>()
  private readonly reports = new Map<string, Report>()
  private readonly seen = new Map<string, number>()
  private readonly thresholds: ClusterThresholds
  /** The version of the parent's member list this node holds (as a child). */
  private membersVersion = 0
  /**
   * The version of this node's own list of children (as a parent): a host is both, and the two count
   * apart. It starts at random, so that a child's `since` from this node's previous service (a host
   * that re-linked) does not match a new list by chance.
   */
  private childrenVersion = 1 + Math.floor(Math.random() * 2 ** 30)
  /** A peer this node does not know as a member spoke to it: ask the parent for the whole list again. */
  private membersStale = false
  private parentRttMs: number | null = null
  /** Recent round trips to the parent: the best of them is the one reported and elected on. */
  private parentRttSamples: number[] = []
  private gateway: string | null = null
  private joinedAsRelay: boolean | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private shutdown = new AbortController()
  private running: Promise<void> | null = null
  /** Joins to the parent, one at a time, so the last one the parent hears says what this node is now. */
  private joining: Promise<void> = Promise.resolve()
  private again = false
  private rounds = 0
  /** Links measured only to be ruled out, closed a little later unless something came to use them. */
  private readonly closing = new Map<string, number>()
  /** Measurements under way, by peer: they run beside the rounds, which never wait long for them. */
  private readonly measuring = new Map<string, Promise<void>>()
  private started = false
  private lastStatus = ''
  /** Rounds that failed (parent unreachable, a peer gone mid-measure); counted, never thrown. */
  errors = 0
  /** The latest of those errors, for diagnosis. */
  lastError: string | null = null

  constructor(private readonly init: TopologyServiceInit, private readonly components: TopologyServiceComponents) {
    super()
    this.thresholds = { ...DEFAULT_CLUSTER_THRESHOLDS, ...init.thresholds }
    this.meter = new LinkMeter(components.libp2p, this.thresholds, init.probeBytes ?? 128 * 1024)
    this.relay = new RelayLinks(components.libp2p, this.onFrame)
  }

  private get self(): string { return this.components.libp2p.peerId.toString() }

  isStarted(): boolean { return this.started }

  async start(): Promise<void> {
    const { libp2p } = this.components
    this.shutdown = new AbortController()
    setMaxListeners(Infinity, this.shutdown.signal)
    await libp2p.handle(TOPOLOGY_PROTOCOL, (stream, connection) => {
      void serveControl(stream, (m) => this.answer(connection.remotePeer.toString(), m)).catch((err: unknown) => { this.fail('serve control', err) })
    })
    await libp2p.handle(PROBE_PROTOCOL, (stream) => { void serveProbe(stream).catch((err: unknown) => { this.fail('serve probe', err) }) })
    await this.relay.start()
    libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.started = true
    if (this.init.parent != null) this.schedule(0)
  }

  async stop(): Promise<void> {
    this.started = false
    this.shutdown.abort()
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = null
    await this.running?.catch(() => {})
    await this.joining
    await Promise.allSettled(this.measuring.values())
    const { libp2p } = this.components
    libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    await this.relay.stop()
    await libp2p.unhandle([TOPOLOGY_PROTOCOL, PROBE_PROTOCOL])
  }

  /**
   * Stops, then tells the parent this node is no longer its child (best effort, over a link that is
   * still open): its other members stop counting it at their next join, rather than when the link
   * closes, which may be never (the node keeps its connections when it moves to another world).
   */
  async leave(): Promise<void> {
    const wasStarted = this.started
    await this.stop()
    const { libp2p } = this.components
    const parent = this.init.parent == null ? null : peerIdFromString(this.init.parent)
    if (!wasStarted || parent == null || libp2p.getConnections(parent).length === 0) return
    await sendControl(libp2p, parent, { t: 'leave' }, { reply: false, signal: AbortSignal.timeout(2000) }).catch((err: unknown) => { this.fail('leave', err) })
  }

  /** Sends `payload` to every node of the world along this topology's links. */
  broadcast(payload: Uint8Array): string {
    const header: RelayHeader = { id: `${this.self.slice(-8)}-${Math.random().toString(36).slice(2, 12)}`, origin: this.self, sentAt: performance.timeOrigin + performance.now() }
    this.seen.set(header.id, Date.now())
    this.forward(header, payload, null)
    return header.id
  }

  status(): TopologyStatus {
    const mates = this.clusterMembers()
    const links: TopologyLink[] = []
    const connected = new Set(this.components.libp2p.getConnections().map((c) => c.remotePeer.toString()))
    for (const peerId of connected) {
      const link = this.meter.get(peerId)
      links.push({
        peerId,
        role: this.roleOf(peerId, mates),
        rttMs: peerId === this.init.parent ? this.parentRttMs : link?.rttMs ?? null,
        mbps: link?.mbps ?? null,
        relay: this.children.get(peerId)?.relay === true
      })
    }
    links.sort((a, b) => (a.peerId < b.peerId ? -1 : 1))
    const emergent = this.init.topology === 'emergent' && this.init.parent != null
    return {
      topology: this.init.topology,
      parent: this.init.parent,
      cluster: emergent ? { id: clusterId(mates), members: mates } : null,
      gateway: emergent ? this.gateway : null,
      links
    }
  }

  /** Whether `peerId` is another child of this node's parent (in the member list the parent sent). */
  isSibling(peerId: string): boolean { return this.members.has(peerId) }

  private roleOf(peerId: string, mates: string[]): TopologyLink['role'] {
    if (peerId === this.init.parent) return 'parent'
    if (this.children.has(peerId)) return 'child'
    if (this.init.topology === 'emergent' && mates.includes(peerId)) return 'cluster'
    if (this.init.topology === 'distributed' && this.meshPeers().includes(peerId)) return 'mesh'
    return 'peer'
  }

  /** Itself and its fast, connected mates, sorted. */
  private clusterMembers(): string[] {
    const connected = new Set(this.components.libp2p.getConnections().map((c) => c.remotePeer.toString()))
    return [this.self, ...this.meter.fast().filter((id) => connected.has(id))].sort()
  }

  /** 'distributed': all members when they fit, else a ring of `maxMeshPeers` around this node. */
  private meshPeers(): string[] {
    const ids = [...this.members.keys(), this.self].sort()
    const max = this.init.maxMeshPeers ?? DEFAULT_MAX_MESH_PEERS
    if (ids.length - 1 <= max) return ids.filter((id) => id !== this.self)
    const at = ids.indexOf(this.self)
    const out: string[] = []
    for (let k = 1; out.length < max; k++) {
      out.push(ids[(at + k) % ids.length] as string)
      if (out.length < max) out.push(ids[(at - k + ids.length) % ids.length] as string)
    }
    return out
  }

  private wantsRelay(): boolean {
    if (this.init.topology === 'hierarchy') return true
    if (this.init.topology === 'distributed') return false
    return this.gateway === this.self
  }

  private answer(from: string, m: ControlMessage): ControlMessage | null {
    if (m.t === 'join') {
      const known = this.children.get(from)
      if (known == null || known.addrs.join() !== m.addrs.join()) this.childrenVersion++
      this.children.set(from, { relay: m.relay, addrs: m.addrs })
      if (m.since === this.childrenVersion) return { t: 'members', version: this.childrenVersion }
      return { t: 'members', version: this.childrenVersion, peers: [...this.children].map(([id, c]) => ({ id, addrs: c.addrs })) }
    }
    if (m.t === 'leave') {
      if (this.children.delete(from)) this.childrenVersion++
      this.relay.drop(from)
      this.reports.delete(from)
      return null
    }
    if (m.t === 'report') {
      this.reports.set(from, { fast: m.fast, parentRttMs: m.parentRttMs, gateway: m.gateway, at: Date.now() })
      if (!this.members.has(from)) this.membersStale = true
    }
    return null
  }

  private schedule(delayMs: number): void {
    if (this.running != null) { this.again = true; return }
    if (!this.started || this.timer != null) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.running = this.round().catch((err: unknown) => { this.fail('round', err) }).finally(() => {
        this.running = null
        const roundMs = this.init.roundMs ?? 1000
        this.schedule(this.again ? 0 : roundMs * (0.75 + Math.random() * 0.5))
        this.again = false
      })
    }, delayMs)
  }

  /** A signal for one step of a round: aborted by stop() or after `ms`. Each step gets its own, so a
   * step that hangs (a dial across a congested uplink) never starves the steps after it. */
  private deadline(ms = Math.max(5000, (this.init.roundMs ?? 1000) * 4)): AbortSignal {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(ms)])
    setMaxListeners(Infinity, signal)
    return signal
  }

  private async round(): Promise<void> {
    await this.joinParent(this.deadline())
    if (this.init.topology === 'distributed') await this.formMesh(this.deadline())
    if (this.init.topology === 'emergent') {
      await this.formCluster()
      // An election that made or unmade this node the gateway tells the parent at once: until it
      // knows, the parent relays the cluster's traffic to nobody (the old gateway may be gone).
      if (this.wantsRelay() !== this.joinedAsRelay) await this.joinParent(this.deadline(), true).catch((err: unknown) => { this.fail('rejoin', err) })
    }
    this.emitIfChanged()
  }

  private joinParent(signal: AbortSignal, force = false): Promise<void> {
    const run = this.joining.then(() => this.sendJoin(signal, force))
    this.joining = run.catch(() => {})
    return run
  }

  private async sendJoin(signal: AbortSignal, force: boolean): Promise<void> {
    const parent = this.init.parent
    if (parent == null) return
    const relay = this.wantsRelay()
    // Often while the world forms, then every fifth round: the member list changes rarely and
    // every join crosses the uplink.
    this.rounds++
    if (!force && !this.membersStale && this.rounds > 5 && this.rounds % 5 !== 0 && relay === this.joinedAsRelay) {
      await this.measureParent(parent, signal)
      return
    }
    const addrs = this.components.libp2p.getMultiaddrs().map((a) => a.toString())
    const reply = await sendControl(this.components.libp2p, peerIdFromString(parent), { t: 'join', relay, addrs, since: this.membersStale ? 0 : this.membersVersion }, { reply: true, signal })
    this.joinedAsRelay = relay
    if (reply?.t === 'members') {
      if (reply.peers != null) {
        this.membersStale = false
        this.members.clear()
        for (const m of reply.peers) if (m.id !== this.self) this.members.set(m.id, m)
      }
      this.membersVersion = reply.version
    }
    await this.measureParent(parent, signal)
  }

  /**
   * Pings the parent. A busy event loop (ours, the parent's, a mate's) only ever adds delay, and
   * members elect their gateway from each other's reported round trips: the best of the last few
   * keeps those reports steady, so members that hear them at different moments still agree.
   */
  private async measureParent(parent: string, signal: AbortSignal): Promise<void> {
    try {
      this.parentRttSamples = [...this.parentRttSamples, await this.meter.ping(parent, signal)].slice(-PARENT_RTT_SAMPLES)
      this.parentRttMs = Math.min(...this.parentRttSamples)
    } catch {
      // Unreachable this round: the last measure stands until a ping gets through.
    }
  }

  private async formMesh(signal: AbortSignal): Promise<void> {
    const { libp2p } = this.components
    // The lower peerId dials, so two members never race to open the same link.
    const toDial = this.meshPeers().filter((id) => id > this.self && libp2p.getConnections(peerIdFromString(id)).length === 0)
    await Promise.allSettled(toDial.map((id) => libp2p.dial((this.members.get(id)?.addrs ?? []).map((a) => multiaddr(a)), { signal })))
  }

  private async formCluster(): Promise<void> {
    const now = Date.now()
    const remeasureMs = this.init.remeasureMs ?? 5000
    const stale = (id: string): boolean => {
      const link = this.meter.get(id)
      return link == null || now - link.measuredAt > (link.fast ? remeasureMs : remeasureMs * 12)
    }
    // A link measured only to be ruled out is closed two rounds later (the other end may still be
    // measuring it), unless it turned fast, joined as a child, or the other end finds it fast.
    for (const [id, since] of this.closing) {
      if (now - since < 2 * (this.init.roundMs ?? 1000)) continue
      this.closing.delete(id)
      const link = this.meter.get(id)
      if (link?.fast === true || this.children.has(id) || this.reports.get(id)?.fast.includes(this.self) === true) continue
      // Not awaited: closing a link across a slow uplink takes round trips the round need not wait for.
      this.components.libp2p.hangUp(peerIdFromString(id), { signal: this.deadline() }).catch(() => {})
    }
    // Mates of mates first (a LAN is found in a round or two), then a random sample of the rest.
    // Peers that found their link to this node fast come first (links are measured from both ends).
    const suggested = new Set<string>()
    for (const [from, r] of this.reports) {
      if (r.fast.includes(this.self) && this.meter.get(from)?.fast !== true) suggested.add(from)
      if (this.meter.get(from)?.fast === true) for (const id of r.fast) suggested.add(id)
    }
    const candidates = [...suggested].filter((id) => id !== this.self && this.members.has(id) && (this.meter.get(id) == null || stale(id) || (this.meter.get(id)?.fast !== true && this.reports.get(id)?.fast.includes(this.self) === true)))
    const unknown = shuffle([...this.members.keys()].filter((id) => this.meter.get(id) == null && !suggested.has(id)))
    const due = [...this.meter.all().keys()].filter((id) => this.members.has(id) && stale(id) && !suggested.has(id))
      .sort((a, b) => Number(this.meter.get(b)?.fast) - Number(this.meter.get(a)?.fast))
    // Each new link costs a dial: sample widely only while alone; once in a cluster, mates' reports
    // find the rest of the LAN, and one random probe a round still joins split parts of it.
    const sample = this.meter.fast().length === 0 ? (this.init.sampleSize ?? 3) : 1
    const batch = [...candidates.slice(0, 12), ...unknown.slice(0, sample), ...due.slice(0, 4)].filter((id) => !this.measuring.has(id))
    // A LAN link measures in milliseconds; one across an uplink takes round trips over it. The round
    // waits a round's length at most, so slow measurements never hold up elections and reports:
    // their results count in the round after they land.
    const measured = Promise.allSettled(batch.map((id) => this.measure(id)))
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([measured, new Promise((resolve) => { timer = setTimeout(resolve, this.init.roundMs ?? 1000) })])
    clearTimeout(timer)
    this.elect()
    const mates = this.clusterMembers().filter((id) => id !== this.self)
    const report: ControlMessage = { t: 'report', fast: mates, parentRttMs: this.parentRttMs, gateway: this.gateway }
    const signal = this.deadline()
    await Promise.allSettled(mates.map((id) => sendControl(this.components.libp2p, peerIdFromString(id), report, { reply: false, signal })))
  }

  private measure(id: string): Promise<void> {
    const run = (async () => {
      try {
        const link = await this.meter.measure(id, this.members.get(id)?.addrs ?? [], this.deadline())
        if (link.fast) this.closing.delete(id)
        else this.closing.set(id, Date.now())
      } catch (err) {
        this.meter.forget(id)
        if (!this.shutdown.signal.aborted) this.fail('measure', err)
      } finally {
        this.measuring.delete(id)
      }
    })()
    this.measuring.set(id, run)
    return run
  }

  private fail(what: string, err: unknown): void {
    this.errors++
    this.lastError = `${what}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`
  }

  private elect(): void {
    const members = this.clusterMembers()
    const candidates = members.map((id) => ({ peerId: id, parentRttMs: id === this.self ? this.parentRttMs : this.reports.get(id)?.parentRttMs ?? null }))
    // Members that act as gateway now (their own word); the election keeps one of them if it can.
    const claimants = members.filter((id) => (id === this.self ? this.gateway : this.reports.get(id)?.gateway) === id)
    this.gateway = electGateway(candidates, claimants, this.init.gatewayMarginMs ?? 10)
  }

  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    const id = event.detail.toString()
    this.relay.drop(id)
    if (this.children.delete(id)) this.childrenVersion++
    const wasMate = this.meter.get(id)?.fast === true
    this.meter.forget(id)
    this.reports.delete(id)
    if (wasMate && this.init.topology === 'emergent') {
      // A mate (perhaps the gateway) left: elect again now rather than at the next round, and tell
      // the parent at once if this node is the new gateway: until then the parent relays the
      // cluster's traffic to nobody.
      this.elect()
      if (this.started && this.wantsRelay() !== this.joinedAsRelay) {
        this.joinParent(this.deadline(), true).catch((err: unknown) => { this.fail('rejoin', err) })
      }
      if (this.timer != null) { clearTimeout(this.timer); this.timer = null }
      this.schedule(0)
    }
  }

  private readonly onFrame = (from: string, frame: Uint8Array): void => {
    const decoded = decodeRelayFrame(frame)
    if (decoded == null) { this.errors++; return }
    const { header, payload } = decoded
    if (this.seen.has(header.id)) return
    this.remember(header.id)
    const latencyMs = performance.timeOrigin + performance.now() - header.sentAt
    this.dispatchEvent(new CustomEvent('message', { detail: { id: header.id, origin: header.origin, payload, latencyMs } }))
    this.forward(header, payload, from)
  }

  private forward(header: RelayHeader, payload: Uint8Array, from: string | null): void {
    const frame = encodeRelayFrame(header, payload)
    for (const to of this.relayTargets(from)) if (to !== from && to !== header.origin) this.relay.send(to, frame)
  }

  /** Who gets a message that arrived from `from` (null: this node's own). */
  private relayTargets(from: string | null): string[] {
    const parent = this.init.parent
    const relayingChildren = [...this.children].filter(([, c]) => c.relay).map(([id]) => id)
    if (parent == null) return relayingChildren
    switch (this.init.topology) {
      case 'hierarchy':
        return [...(from === parent ? [] : [parent]), ...relayingChildren]
      case 'distributed': {
        const mesh = this.meshPeers()
        // In a full mesh everyone got it from the origin; a ring of neighbours floods.
        return from == null || mesh.length < this.members.size ? mesh : []
      }
      case 'emergent': {
        // Views of a cluster can differ for a moment (one end of a link measured it slow, the other
        // not yet): a connected peer that still reports this node as fast expects this node's traffic.
        const connected = new Set(this.components.libp2p.getConnections().map((c) => c.remotePeer.toString()))
        const recent = Date.now() - 3 * (this.init.roundMs ?? 1000)
        const counting = [...this.reports].filter(([id, r]) => r.at > recent && r.fast.includes(this.self) && connected.has(id)).map(([id]) => id)
        const mates = [...new Set([...this.clusterMembers(), ...counting])].filter((id) => id !== this.self)
        const up = this.gateway === this.self && from !== parent ? [parent] : []
        return from == null || from === parent ? [...mates, ...up] : up
      }
    }
  }

  private remember(id: string): void {
    this.seen.set(id, Date.now())
    if (this.seen.size > 20_000) {
      const cutoff = Date.now() - 60_000
      for (const [key, at] of this.seen) if (at < cutoff) this.seen.delete(key)
    }
  }

  private emitIfChanged(): void {
    const status = this.status()
    const key = JSON.stringify([status.cluster, status.gateway])
    if (key === this.lastStatus) return
    this.lastStatus = key
    this.dispatchEvent(new CustomEvent('change', { detail: status }))
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items
}

/** Builds the TopologyService: `topologyService(init)(components)`. */
export function topologyService(init: TopologyServiceInit) {
  return (components: TopologyServiceComponents): TopologyService => new TopologyService(init, components)
}
