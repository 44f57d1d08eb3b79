/**
 * When a link counts as fast enough to share a cluster. Two thresholds per measure give
 * hysteresis: a link joins above `enter…` and leaves only below `exit…`, so a link near a
 * threshold does not make the cluster flap.
 */
export interface ClusterThresholds {
  /** @default 40 */
  enterMbps: number
  /** @default 20 */
  exitMbps: number
  /** @default 10 */
  enterRttMs: number
  /** @default 20 */
  exitRttMs: number
}

export const DEFAULT_CLUSTER_THRESHOLDS: ClusterThresholds = { enterMbps: 40, exitMbps: 20, enterRttMs: 10, exitRttMs: 20 }

/** A link's latest measures. */
export interface LinkMeasure { rttMs: number; mbps: number | null }

/** Whether a link is fast now, given whether it was fast before (hysteresis). */
export function isFastLink(m: LinkMeasure, wasFast: boolean, t: ClusterThresholds): boolean {
  if (m.mbps == null) return false
  return wasFast
    ? m.mbps >= t.exitMbps && m.rttMs <= t.exitRttMs
    : m.mbps >= t.enterMbps && m.rttMs <= t.enterRttMs
}

/** Whether it is worth measuring throughput at all: the round trip already rules out slow links. */
export function worthProbing(rttMs: number, t: ClusterThresholds): boolean {
  return rttMs <= t.exitRttMs
}

/** A cluster member as the election sees it. */
export interface GatewayCandidate { peerId: string; parentRttMs: number | null }

/**
 * Elects the cluster's gateway. Members whose round trip to the parent is within a margin of the
 * best (`marginMs`, or a quarter of the best round trip if more) are eligible, and the smallest
 * peerId among them wins, so every member computes the same answer from the same reports although
 * round trips jitter. For hysteresis, members already acting as gateway (`claimants`) keep the
 * role, the smallest of them first, while within twice the margin: the gateway does not flap.
 */
export function electGateway(members: GatewayCandidate[], claimants: string[], marginMs = 10): string | null {
  const score = (c: GatewayCandidate): number => c.parentRttMs ?? Number.POSITIVE_INFINITY
  const best = Math.min(...members.map(score))
  const margin = Number.isFinite(best) ? Math.max(marginMs, best / 4) : Number.POSITIVE_INFINITY
  const within = (band: number): string[] => members.filter((m) => !(score(m) > best + band)).map((m) => m.peerId).sort()
  const keep = within(2 * margin).filter((id) => claimants.includes(id))
  return keep[0] ?? within(margin)[0] ?? null
}

/** A stable cluster id: the smallest member peerId. */
export function clusterId(members: string[]): string {
  return [...members].sort()[0] ?? ''
}
