import { outranks } from './hostClaims.js'
import type { HostClaim } from './hostClaims.js'
import type { WorldHostRecord } from './WorldSource.js'

/** A host migration this node saw: from whom, to whom (null: back to the parent world), how long it took (host gone → new host in place), ms. */
export interface MigrationRecord { world: string; from: string; to: string | null; ms: number }

/** The place a migration works on, as the navigator holds it: compared by identity to notice that the node moved on meanwhile. */
export interface MigrationPlace {
  world: { manifest: { id: string } }
  host: string | null
}

export interface HostMigrationInit {
  /** Whether this node may take over hosting. @default true */
  canHost?: boolean
  /** How long members wait for the elected new host before returning to the parent world. @default 5_000 */
  timeoutMs?: number
}

/** What the migration needs from the navigator; `P` is the navigator's own place type. */
export interface HostMigrationComponents<P extends MigrationPlace> {
  selfId(): string
  rootPeer: string | null
  /** The place this node is in now. */
  place(): P | null
  /** The peerIds of the world's players now (presence). */
  players(): string[]
  /** Whether this node hosts its world now. */
  hosting(): boolean
  /** Who the root's registry lists as hosts of `world`. */
  hosts(world: string): Promise<WorldHostRecord[]>
  /** Dials a host; resolves to its record once linked, rejects when it does not answer. */
  dial(host: WorldHostRecord): Promise<WorldHostRecord>
  /** Dials the current host again (its registry record's addresses when known); rejects when it does not answer before `signal`. */
  redial(host: string, signal: AbortSignal): Promise<void>
  /** Asks the world state to sync with the host now. */
  syncNow(): void
  /** Asks `peer` who hosts `world` now (hostClaims.ts); null when it does not answer or is not in that world. */
  whoHosts(peer: string, world: string): Promise<HostClaim | null>
  /** The latest term heard of `peerId` (hostClaims.ts), 0 when none. */
  termOf(peerId: string): number
  /** Records the term `peerId` hosts at, as this node learnt it from a migration it followed. */
  heard(peerId: string, term: number): void
  /** Makes this node the host of `place`'s world at `term`: hosting starts, the node's parent becomes the parent world's host. */
  takeOver(place: P, term: number): Promise<void>
  /** Makes this node a member of `host` in `place`'s world (a hosting node stops hosting first). */
  attach(place: P, host: WorldHostRecord): Promise<void>
  /** Returns to the parent world. */
  leave(): Promise<void>
  onError(err: Error): void
}

/** How long a member waits between looks in the registry for the elected host. */
const RETRY_MS = 200
/** How long a member dials its host again after their link closed, before taking the host for gone. */
const HOST_REDIAL_MS = 3000

/**
 * Keeping a hosted world alive with one host. When the host is gone (its link closed and it cannot
 * be dialled again, it left presence and does not answer, or hostWatch.ts gave up on it), the
 * member with the lowest peerId takes over (when it can host) at the old host's term + 1, the
 * others re-attach to it; if it cannot or does not show up within `timeoutMs`, they return to the
 * parent world. When two hosts of
 * one world meet (a host that froze while its members migrated wakes up, or two members both
 * elected themselves), the claim that `outranks` the other stands: the loser steps down and joins
 * the winner as a member (its edits reach the winner through the CRDT), and its members follow it
 * there. A member moves only when its host is gone or hands over, so none goes back to a host
 * that its world left (the old host's term is below the new one's).
 */
export class HostMigration<P extends MigrationPlace> {
  private migrating = false
  private reconciling = false
  private redialing = false
  /** The world's players when its host last answered: who may be elected if it goes (presence of members linked only through it expires). */
  private membersAtLastAnswer: { host: string; members: string[] } | null = null
  private readonly log: MigrationRecord[] = []
  private term = 0
  /** Set by `halt()` (the node stops): nothing under way dials, hosts, re-attaches or leaves any more. */
  private halted = false
  private readonly running = new Set<Promise<void>>()

  constructor(private readonly init: HostMigrationInit, private readonly components: HostMigrationComponents<P>) {}

  /**
   * Stops for good: what is under way stops at its next step, and this resolves once it has, so a
   * stopping node is not made a host, re-attached or sent back to its parent world after it stopped.
   */
  async halt(): Promise<void> {
    this.halted = true
    await Promise.allSettled([...this.running])
  }

  /** Runs `work` unless halted, tracked so that `halt()` waits for it. */
  private track(work: () => Promise<void>): Promise<void> {
    if (this.halted) return Promise.resolve()
    const run = work().finally(() => { this.running.delete(run) })
    this.running.add(run)
    return run
  }

  /** Whether a migration is under way. */
  isMigrating(): boolean { return this.migrating }

  /** The migrations this node saw. */
  migrations(): MigrationRecord[] { return this.log.map((m) => ({ ...m })) }

  /** The term this node hosts at (meaningful while it hosts). */
  hostTerm(): number { return this.term }

  /** This node starts hosting a world of its own accord (not by a takeover): it claims term 0. */
  hosted(): void { this.term = 0 }

  /** The host answered a ping: the players seen now may be elected if it goes. */
  hostAnswered(host: string): void {
    this.membersAtLastAnswer = { host, members: this.components.players() }
  }

  /**
   * The link to the host closed. A live host's link can close too (libp2p's connection monitor
   * drops a link whose ping stalled for 5 s, as on a busy machine), so it is dialled again first,
   * for a bounded while; only a host that cannot be reached is left behind.
   */
  linkClosed(host: string): Promise<void> {
    return this.track(() => this.linkClosedNow(host))
  }

  private async linkClosedNow(host: string): Promise<void> {
    if (this.redialing) return
    this.redialing = true
    try {
      await this.components.redial(host, AbortSignal.timeout(HOST_REDIAL_MS))
      if (this.components.place()?.host === host) this.components.syncNow()
      return
    } catch {
      // Unreachable: the host is gone.
    } finally {
      this.redialing = false
    }
    if (this.components.place()?.host === host && !this.halted) await this.migrateNow(host)
  }

  /**
   * The host left this world's presence: it moved to another world, or its presence came late (this
   * node or the host was stalled past the presence timeout). It is asked first: one that still hosts
   * the world stays the host; one that names a successor is followed; one that does not answer is gone.
   */
  hostLeft(host: string): Promise<void> {
    return this.track(() => this.hostLeftNow(host))
  }

  private async hostLeftNow(host: string): Promise<void> {
    const place = this.components.place()
    if (place == null) return
    const answer = await this.components.whoHosts(host, place.world.manifest.id)
    if (this.components.place() !== place || this.components.hosting() || answer?.host === host) return
    if (this.halted) return
    if (answer != null) await this.followNow(answer)
    else await this.migrateNow(host)
  }

  /** The host `from` is gone: elect the lowest peerId among the members left; it hosts, the others re-attach. */
  migrate(from: string): Promise<void> {
    return this.track(() => this.migrateNow(from))
  }

  private async migrateNow(from: string): Promise<void> {
    const place = this.components.place()
    if (place == null || this.migrating) return
    this.migrating = true
    const started = performance.now()
    const world = place.world.manifest.id
    try {
      const self = this.components.selfId()
      // Members that reached each other only through the old host drop out of presence soon after it: those it had count too.
      const had = this.membersAtLastAnswer?.host === from ? this.membersAtLastAnswer.members : []
      const members = [...this.components.players(), ...had]
      const elected = [...new Set([self, ...members])].filter((p) => p !== from && p !== this.components.rootPeer).sort()[0] ?? self
      // Every member computes the same next term: the elected host's claim outranks the old host's, should it come back.
      const term = this.components.termOf(from) + 1
      if (this.halted) return
      if (elected === self && (this.init.canHost ?? true)) {
        this.term = term
        await this.components.takeOver(place, term)
        this.log.push({ world, from, to: self, ms: performance.now() - started })
        return
      }
      const deadline = Date.now() + (this.init.timeoutMs ?? 5000)
      while (Date.now() < deadline && this.components.place() === place && !this.halted) {
        const hosts = (await this.components.hosts(world).catch(() => [])).filter((h) => h.peerId !== from && h.peerId !== self)
        const next = hosts.find((h) => h.peerId === elected) ?? hosts[0]
        const host = next == null ? null : await this.components.dial(next).catch(() => null)
        if (host != null && !this.halted) {
          if (host.peerId === elected) this.components.heard(host.peerId, term)
          await this.components.attach(place, host)
          this.log.push({ world, from, to: host.peerId, ms: performance.now() - started })
          return
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
      }
      if (this.components.place() !== place || this.halted) return
      this.log.push({ world, from, to: null, ms: performance.now() - started })
      await this.components.leave()
    } catch (err) {
      this.components.onError(err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.migrating = false
    }
  }

  /**
   * Another host of this host's world answered with its claim: when it outranks this host's own,
   * this host steps down and joins it as a member.
   */
  reconcile(rival: HostClaim): Promise<void> {
    return this.track(() => this.reconcileNow(rival))
  }

  private async reconcileNow(rival: HostClaim): Promise<void> {
    if (!this.components.hosting() || !outranks(rival, { host: this.components.selfId(), term: this.term })) return
    if (this.halted) return
    await this.moveTo(rival, this.components.selfId())
  }

  /** This member's host says that another node hosts the world now (it stepped down for it): the member follows. */
  follow(successor: HostClaim): Promise<void> {
    return this.track(() => this.followNow(successor))
  }

  private async followNow(successor: HostClaim): Promise<void> {
    const from = this.components.place()?.host
    if (from == null || this.components.hosting() || successor.host === this.components.selfId()) return
    this.components.heard(successor.host, successor.term)
    await this.moveTo(successor, from)
  }

  /**
   * Joins `claim`'s host as a member. It must be listed in the root's registry as a host of the
   * world: a claim alone moves nobody.
   */
  private async moveTo(claim: HostClaim, from: string): Promise<void> {
    const place = this.components.place()
    if (place == null || this.migrating || this.reconciling || claim.host === this.components.rootPeer) return
    this.reconciling = true
    const started = performance.now()
    const world = place.world.manifest.id
    try {
      const record = (await this.components.hosts(world)).find((h) => h.peerId === claim.host)
      if (record == null || this.components.place() !== place) return
      const host = await this.components.dial(record)
      if (this.components.place() !== place || this.halted) return
      await this.components.attach(place, host)
      this.log.push({ world, from, to: host.peerId, ms: performance.now() - started })
    } catch (err) {
      this.components.onError(err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.reconciling = false
    }
  }
}
