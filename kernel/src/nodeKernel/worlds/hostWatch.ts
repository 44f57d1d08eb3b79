import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

export interface HostWatchInit {
  /** How often a ping to the host may start (one at a time: the ping protocol allows one outbound stream per peer). @default 500 */
  intervalMs?: number
  /** How long each ping waits for its answer (the slowest answers of a live host seen on a loaded 2-core machine took ~0.8 s). @default 1200 */
  timeoutMs?: number
  /** Pings in a row that must miss before the host counts as gone. @default 2 */
  misses?: number
  /** How long the host's presence must have been silent too before it counts as gone. @default 2000 */
  silenceMs?: number
}

export interface HostWatchComponents {
  /** The node's libp2p (the kernel's, or any with a ping service). */
  libp2p(): Pick<Libp2p<{ ping: Ping }>, 'getConnections' | 'services'> | null
  /** The host to watch now, or null (this node hosts, the root hosts, or a migration is under way). */
  host(): string | null
  /** Milliseconds since `peerId`'s presence last arrived here; Infinity when it is not (or no longer) present. */
  silentFor(peerId: string): number
  /** The host answered a ping. */
  onAnswer(host: string): void
  /** The host missed `misses` pings in a row and its presence went silent: it is gone. */
  onGone(host: string): void
}

/** How much later than due a ping's timeout may fire and still count: later, this node itself was stalled. */
const LATE_TIMEOUT_MS = 500

/**
 * Notices that a world's host is gone sooner than its presence expiring (5 s) or its connection
 * closing (a closed page's WebRTC link says nothing for several seconds): it pings the host, one
 * ping at a time, and calls `onGone` after `misses` pings in a row went unanswered while the host's
 * presence was silent as well.
 *
 * What does not count as a miss, because on a busy machine it says nothing about the host: a
 * ping refused since another ping to the host is in flight (the node's own RTT pings share the
 * protocol's one outbound stream per peer), and a timeout that fired late (this node's own thread
 * was stalled: the answer may be waiting behind the timer). Presence still arriving means the
 * host runs and publishes; only its answers are slow.
 */
export class HostWatch {
  private timer: ReturnType<typeof setInterval> | null = null
  private watched: string | null = null
  private misses = 0
  private inFlight = false
  /** Ends a ping in flight when the watch stops. */
  private abort = new AbortController()

  constructor(private readonly init: HostWatchInit, private readonly components: HostWatchComponents) {}

  /** Starts watching (once; the turns skip while there is no remote host). */
  start(): void {
    if (this.timer != null) return
    this.abort = new AbortController()
    this.timer = setInterval(this.tick, this.init.intervalMs ?? 500)
  }

  stop(): void {
    if (this.timer != null) clearInterval(this.timer)
    this.timer = null
    this.abort.abort()
    this.watched = null
    this.misses = 0
  }

  private readonly tick = (): void => {
    const host = this.components.host()
    if (host !== this.watched) {
      this.watched = host
      this.misses = 0
    }
    const libp2p = this.components.libp2p()
    if (host == null || libp2p == null || this.inFlight) return
    const target = libp2p.getConnections().find((c) => c.remotePeer.toString() === host)?.remotePeer
    // No link to the host at all: the navigator's disconnect handler has migrated, or will.
    if (target == null) return
    const timeoutMs = this.init.timeoutMs ?? 1200
    const sentAt = performance.now()
    this.inFlight = true
    let missed = false
    libp2p.services.ping.ping(target, { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]) }).then(() => {
      if (this.watched !== host) return
      this.misses = 0
      this.components.onAnswer(host)
    }, (err: unknown) => {
      if (this.watched !== host || !this.isMiss(err, performance.now() - sentAt - timeoutMs)) return
      missed = true
      this.misses++
      if (this.misses >= (this.init.misses ?? 2) && this.components.silentFor(host) >= (this.init.silenceMs ?? 2000)) {
        this.misses = 0
        this.components.onGone(host)
      }
    }).finally(() => {
      this.inFlight = false
      // After a miss, ask again at once rather than at the next turn: a gone host is noticed sooner.
      if (missed && this.timer != null) this.tick()
    })
  }

  private isMiss(err: unknown, lateMs: number): boolean {
    const name = err instanceof Error ? err.name : ''
    if (name === 'TooManyOutboundProtocolStreamsError') return false
    if (name === 'TimeoutError' || name === 'AbortError') return lateMs <= LATE_TIMEOUT_MS
    // The stream or the connection failed outright: that is an answer of its own.
    return true
  }
}
