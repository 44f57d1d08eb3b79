import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { isFastLink, worthProbing } from './clusterRules.js'
import { probeThroughput } from './linkProbe.js'
import type { ClusterThresholds, LinkMeasure } from './clusterRules.js'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

/** How many recent measurements of a link count: the best of them is the link's measure. */
const RECENT_SAMPLES = 3

/** What this node measured of its link to one peer: the best of its last few measurements. */
export interface LinkRecord {
  rttMs: number
  /** Throughput, Mbit/s; null when the round trip alone ruled the link out. */
  mbps: number | null
  fast: boolean
  measuredAt: number
}

/**
 * Measures links: libp2p ping for the round trip, then a short throughput probe where the round
 * trip looks like a LAN. A busy event loop (ours or the peer's: a browser tab rendering, a page
 * loading) only ever adds delay, so a link's measure is the best of its last few measurements:
 * one measurement taken during a stall does not throw a LAN mate out of the cluster, while a link
 * that really slows leaves once every recent measurement says so. The thresholds' hysteresis
 * applies on top.
 */
export class LinkMeter {
  private readonly links = new Map<string, LinkRecord>()
  private readonly samples = new Map<string, LinkMeasure[]>()

  constructor(
    private readonly libp2p: Libp2p<{ ping: Ping }>,
    private readonly thresholds: ClusterThresholds,
    private readonly probeBytes: number
  ) {}

  get(peerId: string): LinkRecord | undefined { return this.links.get(peerId) }
  all(): Map<string, LinkRecord> { return this.links }
  forget(peerId: string): void {
    this.links.delete(peerId)
    this.samples.delete(peerId)
  }

  /** Peers whose link is fast now. */
  fast(): string[] {
    return [...this.links].filter(([, l]) => l.fast).map(([id]) => id)
  }

  /** Round trip only (the parent link: it is never probed for throughput). */
  async ping(peerId: string, signal: AbortSignal): Promise<number> {
    return this.libp2p.services.ping.ping(peerIdFromString(peerId), { signal })
  }

  /** Dials (if needed), pings and probes `peerId`, updating its record. */
  async measure(peerId: string, addrs: string[], signal: AbortSignal): Promise<LinkRecord> {
    const peer = peerIdFromString(peerId)
    if (this.libp2p.getConnections(peer).length === 0) {
      await this.libp2p.dial(addrs.length > 0 ? addrs.map((a) => multiaddr(a)) : peer, { signal })
    }
    // The lowest of three pings: the first on a new connection pays for opening a stream, and a
    // busy event loop (ours or the peer's) only ever adds delay.
    let rttMs = Number.POSITIVE_INFINITY
    for (let i = 0; i < 3; i++) {
      rttMs = Math.min(rttMs, await this.ping(peerId, signal))
      // Far beyond a LAN even counting the first ping's stream opening: no need to cross the uplink again.
      if (rttMs > 4 * this.thresholds.exitRttMs) break
    }
    const mbps = worthProbing(rttMs, this.thresholds) ? await probeThroughput(this.libp2p, peer, this.probeBytes, rttMs, signal) : null
    const recent = [...(this.samples.get(peerId) ?? []), { rttMs, mbps }].slice(-RECENT_SAMPLES)
    this.samples.set(peerId, recent)
    const best: LinkMeasure = {
      rttMs: Math.min(...recent.map((m) => m.rttMs)),
      mbps: recent.some((m) => m.mbps != null) ? Math.max(...recent.map((m) => m.mbps ?? 0)) : null
    }
    const previous = this.links.get(peerId)
    const record: LinkRecord = {
      rttMs: best.rttMs,
      mbps: best.mbps == null ? null : Math.round(best.mbps * 10) / 10,
      fast: isFastLink(best, previous?.fast ?? false, this.thresholds),
      measuredAt: Date.now()
    }
    this.links.set(peerId, record)
    return record
  }
}
