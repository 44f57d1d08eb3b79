import type { TopologyStatus } from './topology/TopologyService.js'
import type { GossipScorer } from '../../platform/Platform.js'

/**
 * Gossipsub score of a connected peer that is not on this node's topology links. It sits below
 * gossipsub's default publish threshold (-50), so this node neither publishes nor forwards to the
 * peer, keeps it out of its topic meshes and sends it no gossip, and above the graylist threshold
 * (-80), so what the peer still sends (for a moment after the two disagree on their links) is
 * taken, not dropped.
 */
export const OFF_ROUTE_SCORE = -60

/** How long one reading of the topology's links serves the scorer (gossipsub asks per peer, per heartbeat). */
const ROUTES_TTL_MS = 250

/**
 * The connected peers a node's world traffic (state, presence, chat, props) must not take, given
 * its topology: its siblings (the other children of its parent) that are not its mesh or cluster
 * mates, and, in an emergent cluster, the parent itself unless this node is the gateway. So:
 * - `hierarchy`: only the parent and the children carry it (traffic aggregates upward);
 * - `distributed`: the parent (the world's host) and the mesh mates;
 * - `emergent`: the cluster mates and the children; the parent only from the gateway.
 *
 * Peers the topology does not place (a node that connected but has not joined yet, the root seen from
 * a sub-world, any node seen from the root) are not held back: a parent that refused a child's
 * gossip for the moment between its connection and its join would answer its graft with a minute's
 * prune backoff.
 */
export function offRoutesOf(status: TopologyStatus | null, self: string, isSibling: (peerId: string) => boolean): ReadonlySet<string> {
  const off = new Set<string>()
  if (status == null) return off
  const viaGateway = status.topology === 'emergent' && status.gateway != null && status.gateway !== self
  for (const link of status.links) {
    if (link.role === 'peer' && isSibling(link.peerId)) off.add(link.peerId)
    else if (link.role === 'parent' && viaGateway) off.add(link.peerId)
  }
  return off
}

/**
 * Steers gossipsub along the topology: peers {@link offRoutesOf} names score {@link OFF_ROUTE_SCORE},
 * every other peer 0. Until `follow` is called, every peer scores 0, as in plain gossipsub.
 */
export class GossipRoutes implements GossipScorer {
  private source: (() => ReadonlySet<string>) | null = null
  private cached: ReadonlySet<string> = new Set()
  private cachedAt = Number.NEGATIVE_INFINITY

  /** Reads the peers held back from `source` from now on (null: hold none back). */
  follow(source: (() => ReadonlySet<string>) | null): void {
    this.source = source
    this.cachedAt = Number.NEGATIVE_INFINITY
  }

  /** The connected peers world traffic does not go to now. */
  offRoutes(): ReadonlySet<string> {
    const now = Date.now()
    if (now - this.cachedAt >= ROUTES_TTL_MS) {
      this.cached = this.source?.() ?? new Set()
      this.cachedAt = now
    }
    return this.cached
  }

  /** Whether world traffic may go to `peerId`. */
  allows(peerId: string): boolean {
    return !this.offRoutes().has(peerId)
  }

  score(peerId: string): number {
    return this.allows(peerId) ? 0 : OFF_ROUTE_SCORE
  }
}
