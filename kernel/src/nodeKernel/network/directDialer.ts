import { multiaddr } from '@multiformats/multiaddr'
import type { KernelLibp2p } from '../../platform/Platform.js'

/** Options of the browser-to-browser upgrade. */
export interface DirectDialerInit {
  /** Attempts before giving up (traffic keeps flowing through the root). @default 3 */
  attempts?: number
  /** Delay before the first retry, doubled after each. @default 1000 */
  backoffMs?: number
  /** Whether a direct link to this peer is wanted now (the topology's mesh or cluster). @default always */
  wanted?: (peerId: string) => boolean
}

/**
 * Dials other browser peers directly over WebRTC, signalled through the root's relay:
 * `<root addr>/p2p-circuit/webrtc/p2p/<other>`. Only the peer with the lower peerId dials, so two
 * peers never race each other. When every attempt fails, nothing breaks: gossipsub still carries
 * the world's traffic through the root as hub.
 */
export class DirectDialer {
  private readonly pending = new Map<string, AbortController>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  constructor(private readonly libp2p: KernelLibp2p, private readonly rootAddr: string, private readonly init: DirectDialerInit = {}) {}

  /** Called when presence shows `peerId`; dials if this node is the lower id and no direct link exists. */
  consider(peerId: string): void {
    const self = this.libp2p.peerId.toString()
    if (peerId === self || self > peerId || this.pending.has(peerId) || this.hasDirect(peerId)) return
    if (this.init.wanted?.(peerId) === false) return
    const controller = new AbortController()
    this.pending.set(peerId, controller)
    void this.attempt(peerId, controller, 0)
  }

  stop(): void {
    for (const controller of this.pending.values()) controller.abort()
    this.pending.clear()
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  private async attempt(peerId: string, controller: AbortController, n: number): Promise<void> {
    const { attempts = 3, backoffMs = 1000 } = this.init
    try {
      await this.libp2p.dial(multiaddr(`${this.rootAddr}/p2p-circuit/webrtc/p2p/${peerId}`), { signal: controller.signal })
      this.pending.delete(peerId)
    } catch {
      if (controller.signal.aborted || n + 1 >= attempts || this.hasDirect(peerId)) {
        this.pending.delete(peerId)
        return
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        void this.attempt(peerId, controller, n + 1)
      }, backoffMs * 2 ** n)
      this.timers.add(timer)
    }
  }

  private hasDirect(peerId: string): boolean {
    return this.libp2p.getConnections().some((c) => c.remotePeer.toString() === peerId && c.limits == null)
  }
}
