import type { WorldReplica } from './WorldReplica.js'
import type { IdSpan } from 'loro-crdt'

/**
 * Passes on to a world's members what its host accepted outside the state topic (history a
 * child pushed, updates that waited for their dependencies). What is accepted in one turn of
 * the event loop goes out as one update in one gossip message: a message per update cost a
 * signature each (more than checking the update) and spent the members' rate limit for the host.
 */
export class UpdateRelay {
  private queued: { replica: WorldReplica; spans: IdSpan[] } | null = null
  private timer: ReturnType<typeof setTimeout> | null = null

  /** `maxBytes`: the largest update one message may carry; a larger one is left to state sync. */
  constructor(private readonly publish: (update: Uint8Array) => void, private readonly maxBytes: number) {}

  /** Queues the operations `spans` of `replica` for the next message. */
  add(replica: WorldReplica, spans: IdSpan[]): void {
    if (spans.length === 0) return
    if (this.queued != null && this.queued.replica !== replica) this.flush()
    this.queued ??= { replica, spans: [] }
    this.queued.spans.push(...spans)
    this.timer ??= setTimeout(this.flush, 0)
  }

  /** Drops what is queued: the node leaves the world (its replica may be freed) or stops. */
  clear(): void {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = null
    this.queued = null
  }

  private readonly flush = (): void => {
    const queued = this.queued
    this.clear()
    if (queued == null) return
    for (const update of this.pack(queued.replica, queued.spans)) this.publish(update)
  }

  /** One update for `spans`, or halves of them until each fits in a message. */
  private pack(replica: WorldReplica, spans: IdSpan[]): Uint8Array[] {
    const update = replica.exportSpans(spans)
    if (update.byteLength < this.maxBytes) return [update]
    if (spans.length === 1) return []
    const half = spans.length >> 1
    return [...this.pack(replica, spans.slice(0, half)), ...this.pack(replica, spans.slice(half))]
  }
}
