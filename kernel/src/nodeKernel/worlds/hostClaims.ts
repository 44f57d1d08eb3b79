import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { z } from 'zod'
import type { KernelLibp2p } from '../../platform/Platform.js'
import type { WorldHostRecord } from './WorldSource.js'
import type { Stream } from '@libp2p/interface'

/** A node's claim to host a world: its peerId and the migration term it hosts at (0 for a host that started it, +1 at each takeover). */
export interface HostClaim {
  host: string
  term: number
}

/**
 * Whether claim `a` wins over claim `b`: the higher term (the later migration) wins; at the same
 * term, the lower peerId (the one a migration's election would pick). Two hosts that meet agree.
 */
export function outranks(a: HostClaim, b: HostClaim): boolean {
  return a.term !== b.term ? a.term > b.term : a.host < b.host
}

/**
 * Asks a node who hosts a world: the request is `{ world }`, the answer `{ world, host, term }`
 * (the node itself when it hosts it, else the host it is a member of; null when it is not in that
 * world), one length-prefixed JSON frame each way.
 */
export const HOST_CLAIM_PROTOCOL = '/peercompute/world-host/1.0.0'

const MAX_CLAIM_BYTES = 512
const worldId = z.string().min(1).max(64)
const requestSchema = z.strictObject({ world: worldId })
const answerSchema = z.strictObject({ world: worldId, host: z.string().min(1).max(128).nullable(), term: z.number().int().min(0).max(2 ** 31) })
type ClaimAnswer = z.infer<typeof answerSchema>

export interface HostClaimsInit {
  /** How often a member asks its host who hosts the world (a host that stepped down names its successor). @default 1000 */
  intervalMs?: number
  /** How often a host looks in the registry for other hosts of its world and asks them for their claims. @default 2000 */
  rivalCheckMs?: number
  /** How long one question may take. @default 3000 */
  timeoutMs?: number
}

export interface HostClaimsComponents {
  libp2p(): KernelLibp2p | null
  /** The hosted sub-world this node is in and its host (this node's own peerId when it hosts), or null. */
  place(): { world: string; host: string | null } | null
  /** This node's term while it hosts, else null. */
  ownTerm(): number | null
  /** Another host of this host's world answered with its claim. */
  onRival(claim: HostClaim): void
  /** This member's host answered that another node hosts the world now (it stepped down for it). */
  onHandedOver(claim: HostClaim): void
  /** Hosts of `world` as the root's registry lists them. */
  hosts(world: string): Promise<WorldHostRecord[]>
}

/**
 * Host claims of the hosted sub-world this node is in, asked for directly (HOST_CLAIM_PROTOCOL; the
 * world's gossip follows its topology's links, and two hosts of one world are not linked). A host
 * asks the other hosts the registry lists, so that two hosts that meet (one froze while its members
 * migrated, or two members each elected themselves) learn each other's terms; a member asks its
 * host, to learn its term (the next host after it takes the next term) or that it stepped down,
 * and for whom. Every node answers for the world it is in.
 */
export class HostClaims {
  private handling: KernelLibp2p | null = null
  private timer: ReturnType<typeof setInterval> | null = null
  private lastRivalCheck = 0
  private asking = false
  private world: string | null = null
  private readonly terms = new Map<string, number>()
  private readonly counts = { asked: 0, answered: 0, failed: 0 }

  constructor(private readonly init: HostClaimsInit, private readonly components: HostClaimsComponents) {}

  /** Follows the claims of world `id` (a hosted sub-world), or of none; the terms heard are kept only within one world. */
  async enter(id: string | null): Promise<void> {
    if (id !== this.world) this.terms.clear()
    this.world = id
    if (id == null && this.timer != null) clearInterval(this.timer)
    if (id == null) this.timer = null
    else this.timer ??= setInterval(this.tick, this.init.intervalMs ?? 1000)
    const libp2p = this.components.libp2p()
    if (libp2p != null && this.handling !== libp2p) {
      this.handling = libp2p
      await libp2p.handle(HOST_CLAIM_PROTOCOL, (stream) => { void this.serve(stream) }, { maxInboundStreams: 64, runOnLimitedConnection: true })
    }
  }

  async stop(): Promise<void> {
    if (this.timer != null) clearInterval(this.timer)
    this.timer = null
    this.world = null
    this.terms.clear()
    const libp2p = this.handling
    this.handling = null
    await libp2p?.unhandle(HOST_CLAIM_PROTOCOL).catch(() => {})
  }

  /** The latest term heard from `peerId` (0 when none: a host that started the world). */
  termOf(peerId: string): number {
    return this.terms.get(peerId) ?? 0
  }

  /** Records that `peerId` hosts at `term` at least (a member knows its new host's term from the migration it followed). */
  heard(peerId: string, term: number): void {
    if (term > this.termOf(peerId)) this.terms.set(peerId, term)
  }

  /** Asks `peer` who hosts `world` now: its claim (it hosts it), the host it is a member of, or null (no answer, or not in that world). */
  async whoHosts(peer: string, world: string): Promise<HostClaim | null> {
    const answer = await this.question(peer, world)
    return answer?.host == null ? null : { host: answer.host, term: answer.term }
  }

  /** Questions asked, answered, and failed (no answer, or one that is no answer), for a failure message. */
  status(): { asked: number; answered: number; failed: number } {
    return { ...this.counts }
  }

  private readonly tick = (): void => {
    const place = this.components.place()
    if (place == null || place.host == null || this.asking) return
    this.asking = true
    void this.ask(place.world, place.host).finally(() => { this.asking = false })
  }

  private async ask(world: string, host: string): Promise<void> {
    if (this.components.ownTerm() == null) {
      const answer = await this.question(host, world)
      if (answer?.host == null) return
      if (answer.host === host) this.heard(host, answer.term)
      else this.components.onHandedOver({ host: answer.host, term: answer.term })
      return
    }
    const now = Date.now()
    if (now - this.lastRivalCheck < (this.init.rivalCheckMs ?? 2000)) return
    this.lastRivalCheck = now
    const self = this.components.libp2p()?.peerId.toString()
    const rivals = (await this.components.hosts(world).catch(() => [])).filter((h) => h.peerId !== self)
    for (const rival of rivals) {
      const answer = await this.question(rival.peerId, world, rival.multiaddrs)
      // A rival that is a member by now answers with its host: that host is asked in its turn, when the registry lists it.
      if (answer?.host !== rival.peerId) continue
      this.heard(rival.peerId, answer.term)
      this.components.onRival({ host: rival.peerId, term: answer.term })
    }
  }

  /** Asks `peer` who hosts `world` (dialling `multiaddrs` when not linked); null when it does not answer, or answers garbage. */
  private async question(peer: string, world: string, multiaddrs: string[] = []): Promise<ClaimAnswer | null> {
    const libp2p = this.components.libp2p()
    if (libp2p == null) return null
    this.counts.asked++
    const signal = AbortSignal.timeout(this.init.timeoutMs ?? 3000)
    try {
      const linked = libp2p.getConnections().some((c) => c.remotePeer.toString() === peer)
      if (!linked && multiaddrs.length > 0) await Promise.any(multiaddrs.map((addr) => libp2p.dial(multiaddr(addr), { signal })))
      const stream = await libp2p.dialProtocol(peerIdFromString(peer), HOST_CLAIM_PROTOCOL, { signal, runOnLimitedConnection: true })
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_CLAIM_BYTES })
        await lp.write(new TextEncoder().encode(JSON.stringify({ world })), { signal })
        const answer = parse(answerSchema, (await lp.read({ signal })).subarray())
        await stream.close({ signal })
        if (answer == null || answer.world !== world) throw new Error('not an answer to the question')
        this.counts.answered++
        return answer
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        throw err
      }
    } catch {
      // Unreachable, stopped, or a peer that answers nonsense: asked again at the next turn.
      this.counts.failed++
      return null
    }
  }

  /** Answers a question for the world this node is in. */
  private async serve(stream: Stream): Promise<void> {
    const signal = AbortSignal.timeout(this.init.timeoutMs ?? 3000)
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_CLAIM_BYTES })
      const request = parse(requestSchema, (await lp.read({ signal })).subarray())
      if (request == null) throw new Error('malformed host question')
      const place = this.components.place()
      const host = place?.world === request.world ? place.host : null
      const own = this.components.ownTerm()
      const term = host == null ? 0 : host === this.components.libp2p()?.peerId.toString() && own != null ? own : this.termOf(host)
      await lp.write(new TextEncoder().encode(JSON.stringify({ world: request.world, host, term } satisfies ClaimAnswer)), { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}

/** `bytes` as JSON of `schema`'s shape, or null. */
function parse<T>(schema: z.ZodType<T>, bytes: Uint8Array): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
