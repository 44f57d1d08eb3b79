import { DEFAULT_MAX_MESH_PEERS, topologyService } from './topology/TopologyService.js'
import type { Topology } from './NetworkManager.js'
import type { TopologyService, TopologyServiceComponents, TopologyStatus } from './topology/TopologyService.js'
import type { Startable } from '@libp2p/interface'
import type { BasisRules } from '@peercompute/world-sdk'

/** What the node's TopologyService runs with: how it links, and under which parent. */
export interface TopologyTarget {
  topology: Topology
  /** The parent's peerId; null on the root. */
  parent: string | null
  /** Largest full mesh ('distributed'); beyond it a ring of this many neighbours. */
  maxMeshPeers: number
}

/** Where a node stands among worlds, as far as its links go. */
export interface TopologyPlace {
  /** The node it is a child of: the world's host for a member, the parent world's host for a host, the root at the top. */
  parent: string | null
  /**
   * The rules its links follow: those of the world it is a member of (for a host, its parent
   * world, where it is a member; its own world's rule shapes its members' links, not its own).
   * Null where no rules apply (outside the navigator's worlds): the node's own choice stands.
   */
  rules: Pick<BasisRules, 'network'> | null
}

/** The target for `place`: the world's `network` rule, or the node's own topology where the rule says 'node'. */
export function topologyTarget(place: TopologyPlace, own: Topology): TopologyTarget {
  const network = place.rules?.network
  const topology = network == null || network.topology === 'node' ? own : network.topology
  return { topology, parent: place.parent, maxMeshPeers: network?.maxMeshPeers ?? DEFAULT_MAX_MESH_PEERS }
}

export interface WorldTopologyInit {
  /** The node's own topology (createNode's `topology`), where no world's rule sets one. @default 'hierarchy' */
  topology?: Topology
  /** The parent from the start: the root's peerId, or null on the root itself. */
  parent: string | null
}

/**
 * The node's TopologyService as it moves between worlds: it starts under the root with the node's
 * own topology, and `retarget` replaces it (the old one leaves its parent and stops, leaving no
 * handles) when a world asks for another topology, parent or mesh size.
 */
export class WorldTopology implements Startable {
  private service: TopologyService | null = null
  private target: TopologyTarget
  /** Switches run one at a time, in the order asked, so the last world entered wins. */
  private switching: Promise<void> = Promise.resolve()
  private started = false

  constructor(init: WorldTopologyInit, private readonly components: TopologyServiceComponents) {
    this.target = { topology: init.topology ?? 'hierarchy', parent: init.parent, maxMeshPeers: DEFAULT_MAX_MESH_PEERS }
  }

  isStarted(): boolean { return this.started }

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    await this.startService(this.target)
  }

  async stop(): Promise<void> {
    this.started = false
    await this.switching
    const service = this.service
    this.service = null
    await service?.stop()
  }

  /** The topology and parent the node links with now (or is switching to). */
  current(): TopologyTarget { return { ...this.target } }

  /** The running service's view (links, cluster, gateway); null while stopped or between two services. */
  status(): TopologyStatus | null { return this.service?.status() ?? null }

  /** Whether `peerId` is another child of this node's parent, as the running service knows it. */
  isSibling(peerId: string): boolean { return this.service?.isSibling(peerId) ?? false }

  /** Switches to `target` unless the service runs with it already; resolves once the new one has started. */
  retarget(target: TopologyTarget): Promise<void> {
    const run = this.switching.then(() => this.switchTo(target))
    this.switching = run.catch(() => {})
    return run
  }

  private async switchTo(target: TopologyTarget): Promise<void> {
    // A service that failed to start is tried again, even for the same target.
    if (!this.started || (this.service != null && sameTarget(target, this.target))) return
    this.target = { ...target }
    const old = this.service
    this.service = null
    await old?.leave()
    if (this.started) await this.startService(target)
  }

  private async startService(target: TopologyTarget): Promise<void> {
    const service = topologyService({ ...target })(this.components)
    try {
      await service.start()
    } catch (err) {
      await service.stop().catch(() => {})
      throw err
    }
    this.service = service
  }
}

function sameTarget(a: TopologyTarget, b: TopologyTarget): boolean {
  return a.topology === b.topology && a.parent === b.parent && a.maxMeshPeers === b.maxMeshPeers
}

/** Builds the WorldTopology: `worldTopology(init)(components)`. */
export function worldTopology(init: WorldTopologyInit) {
  return (components: TopologyServiceComponents): WorldTopology => new WorldTopology(init, components)
}
