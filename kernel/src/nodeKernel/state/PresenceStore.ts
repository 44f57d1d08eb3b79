import { EphemeralStore } from 'loro-crdt'
import { MAX_PRESENCE_BYTES, presenceValueSchema } from './stateSchemas.js'
import type { PresenceValue } from './stateSchemas.js'
import type { DropReason } from '../KernelEvents.js'
import { wallClock } from './wallClock.js'

/** A player as seen through presence: remote players plus this node's own avatar. */
export interface PresencePlayer {
  peerId: string
  name: string
  position: [number, number, number]
  yaw: number
  velocity: [number, number, number]
  /** The sender's clock when it published this sample, ms since the epoch. */
  time: number
  /** This node's clock when the sample arrived, ms since the epoch (the sender's own: when set). */
  receivedAt: number
  self: boolean
}

/** The pose this node publishes for its own avatar. */
export interface SelfPose {
  position: [number, number, number]
  yaw: number
  velocity: [number, number, number]
}

/** The outcome of an incoming presence message. */
export type PresenceVerdict = { ok: true; joined: string | null; sentAt: number; receivedAt: number } | { ok: false; reason: DropReason }

/**
 * One world's presence: a Loro EphemeralStore keyed by peerId. Remote entries expire after
 * `timeoutMs` without an update, which is how players who vanish without a goodbye leave.
 */
export class PresenceStore {
  private readonly store: EphemeralStore<Record<string, PresenceValue>>
  private readonly receivedAt = new Map<string, number>()
  private readonly unsubscribe: () => void

  constructor(
    private readonly selfId: string,
    private readonly name: string,
    private readonly maxPlayers: number,
    timeoutMs: number,
    onLeave: (peerId: string) => void
  ) {
    this.store = new EphemeralStore(timeoutMs)
    this.unsubscribe = this.store.subscribe((event) => {
      for (const peerId of event.removed) {
        if (peerId === this.selfId) continue
        this.receivedAt.delete(peerId)
        onLeave(peerId)
      }
    })
  }

  /** Sets this node's own entry and returns it encoded for publishing (only its own key). */
  setSelf(pose: SelfPose, now = wallClock()): Uint8Array {
    this.store.set(this.selfId, { name: this.name, p: pose.position, yaw: pose.yaw, v: pose.velocity, t: now })
    this.receivedAt.set(this.selfId, now)
    return this.store.encode(this.selfId)
  }

  /**
   * Checks a message from `from` in a scratch store (size, decoding, exactly one key equal to the
   * sender's peerId, value shape) and merges it only if all pass. Never throws.
   */
  receive(from: string, bytes: Uint8Array, now = wallClock()): PresenceVerdict {
    if (bytes.byteLength > MAX_PRESENCE_BYTES) return { ok: false, reason: 'size' }
    const scratch = new EphemeralStore(60_000)
    try {
      try {
        scratch.apply(bytes)
      } catch {
        return { ok: false, reason: 'decode' }
      }
      const keys = scratch.keys()
      if (keys.length !== 1 || keys[0] !== from) return { ok: false, reason: 'spoofed' }
      if (!presenceValueSchema.safeParse(scratch.get(from)).success) return { ok: false, reason: 'shape' }
    } finally {
      scratch.destroy()
    }
    const known = this.receivedAt.has(from)
    if (!known && this.receivedAt.size >= this.maxPlayers) return { ok: false, reason: 'full' }
    this.store.apply(bytes)
    this.receivedAt.set(from, now)
    return { ok: true, joined: known ? null : from, sentAt: this.store.get(from)?.t ?? now, receivedAt: now }
  }

  /** Forgets `peerId` at once (its connection closed). Returns whether it was known. */
  remove(peerId: string): boolean {
    const known = this.receivedAt.delete(peerId)
    if (known) this.store.delete(peerId)
    return known
  }

  /** Remote players with their latest samples, plus this node's own avatar (`self: true`) once set. */
  players(): PresencePlayer[] {
    const states = this.store.getAllStates()
    const players: PresencePlayer[] = []
    for (const [peerId, value] of Object.entries(states)) {
      if (value == null) continue
      players.push({
        peerId,
        name: value.name,
        position: [...value.p],
        yaw: value.yaw,
        velocity: [...value.v],
        time: value.t,
        receivedAt: this.receivedAt.get(peerId) ?? value.t,
        self: peerId === this.selfId
      })
    }
    return players
  }

  destroy(): void {
    this.unsubscribe()
    this.store.destroy()
    this.receivedAt.clear()
  }
}
