import { z } from 'zod'

/** A node that hosts a world now, as `GET /api/worlds` lists it. */
export interface LiveHost {
  peerId: string
  /** Where to dial it, each ending in `/p2p/<peerId>`. */
  multiaddrs: string[]
  /** When it first announced itself (ms since the epoch). */
  since: number
}

/** Options of {@link LiveHosts}. */
export interface LiveHostsInit {
  /** An announcement lasts this long unless renewed (the host heartbeats). @default 30_000 */
  ttlMs?: number
  /** Hosts kept per world; the oldest announcement is dropped past it. @default 16 */
  maxPerWorld?: number
  /** @default Date.now */
  now?: () => number
}

const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{40,64}$/

/** Body of `POST /api/worlds/:id/hosts`. */
export const hostAnnouncementSchema = z.object({
  peerId: z.string().regex(PEER_ID),
  multiaddrs: z.array(z.string().min(4).max(512)).min(1).max(16)
}).strict().refine((a) => a.multiaddrs.every((m) => m.startsWith('/') && m.endsWith(`/p2p/${a.peerId}`)), {
  message: 'every multiaddr must end in /p2p/<peerId>'
})
/** A parsed host announcement. */
export type HostAnnouncement = z.infer<typeof hostAnnouncementSchema>

interface Entry extends LiveHost { expires: number }

/**
 * The root's table of who hosts which world now: in memory only (a restart forgets it; hosts
 * announce again on their next heartbeat), each entry expiring unless renewed.
 */
export class LiveHosts {
  private readonly worlds = new Map<string, Map<string, Entry>>()
  private readonly ttlMs: number
  private readonly maxPerWorld: number
  private readonly now: () => number

  constructor(init: LiveHostsInit = {}) {
    this.ttlMs = init.ttlMs ?? 30_000
    this.maxPerWorld = init.maxPerWorld ?? 16
    this.now = init.now ?? Date.now
  }

  /** Adds or renews a host of `world`; returns how long the announcement lasts, in ms. */
  announce(world: string, host: HostAnnouncement): number {
    const now = this.now()
    const hosts = this.worlds.get(world) ?? new Map<string, Entry>()
    this.worlds.set(world, hosts)
    const since = hosts.get(host.peerId)?.since ?? now
    hosts.delete(host.peerId)
    hosts.set(host.peerId, { peerId: host.peerId, multiaddrs: [...host.multiaddrs], since, expires: now + this.ttlMs })
    while (hosts.size > this.maxPerWorld) hosts.delete(hosts.keys().next().value as string)
    return this.ttlMs
  }

  /** Removes a host (it stopped); true when it was listed. */
  withdraw(world: string, peerId: string): boolean {
    return this.worlds.get(world)?.delete(peerId) ?? false
  }

  /** The live hosts of `world`, oldest announcement first. */
  hosts(world: string): LiveHost[] {
    const hosts = this.worlds.get(world)
    if (hosts == null) return []
    const now = this.now()
    for (const [id, entry] of hosts) if (entry.expires <= now) hosts.delete(id)
    if (hosts.size === 0) this.worlds.delete(world)
    return [...hosts.values()].map(({ peerId, multiaddrs, since }) => ({ peerId, multiaddrs: [...multiaddrs], since }))
  }
}
