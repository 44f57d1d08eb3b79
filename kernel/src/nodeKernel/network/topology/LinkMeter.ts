import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { isFastLink, worthProbing } from './clusterRules.js'
import { probeThroughput } from './linkProbe.js'
import type { ClusterThresholds } from './clusterRules.js'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

/** What this node measured of its link to one peer. */
export interface LinkRecord {
  rttMs: number
  /** Throughput, Mbit/s; null when the round trip alone ruled the link out. */
  mbps: number | null
  fast: boolean
  measuredAt: number
}

/**
 * Measures links: libp2p ping for the round trip, then a short throughput probe where the round
 * trip looks like a LAN. Keeps the latest record per peer and applies the thresholds' hysteresis.
 */
export class LinkMeter {
  private readonly links = new Map<string, LinkRecord>()

  constructor(
    private readonly libp2p: Libp2p<{ ping: Ping }>,
    private readonly thresholds: ClusterThresholds,
    private readonly probeBytes: number
  ) {}

  get(peerId: string): LinkRecord | undefined { return this.links.get(peerId) }
  all(): Map<string, LinkRecord> { return this.links }
  forget(peerId: string): void { this.links.delete(peerId) }

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
    for (let i = 0; i < 3; i++) rttMs = Math.min(rttMs, await this.ping(peerId, signal))
    const mbps = worthProbing(rttMs, this.thresholds) ? await probeThroughput(this.libp2p, peer, this.probeBytes, rttMs, signal) : null
    const previous = this.links.get(peerId)
    const record: LinkRecord = {
      rttMs,
      mbps: mbps == null ? null : Math.round(mbps * 10) / 10,
      fast: isFastLink({ rttMs, mbps }, previous?.fast ?? false, this.thresholds),
      measuredAt: Date.now()
    }
    this.links.set(peerId, record)
    return record
  }
}
