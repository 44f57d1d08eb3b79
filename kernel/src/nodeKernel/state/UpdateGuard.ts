import type { DropReason } from '../KernelEvents.js'
import type { JsonSchema, LoroDoc } from 'loro-crdt'

/** The outcome of guarding one incoming update. */
export type GuardResult<T> =
  | { ok: true; replay: false; value: T }
  | { ok: true; replay: true }
  | { ok: false; reason: DropReason | 'pending' }

/** What a check decides after seeing an update's operations. */
export type GuardCheck<T> = (json: JsonSchema, shadow: LoroDoc) => { ok: true; value: T } | { ok: false; reason: DropReason }

/**
 * Lets an update into a document only after its operations were seen and checked, so a
 * corrupted, truncated or malicious update never touches the document.
 *
 * The update is imported first into a shadow copy kept in step with the document; its new
 * operations are read back from the shadow (O(update), not O(document) as a fresh fork per
 * update would be) and checked; only then does the document import it. A refused update leaves
 * the shadow dirty, so the shadow is dropped and forked again on the next update.
 */
export class UpdateGuard {
  private shadow: LoroDoc | null = null

  constructor(private readonly doc: LoroDoc) {}

  /** Tries `bytes` on the shadow, runs `check` on what it adds, and imports it into the document if accepted. Never throws. */
  apply<T>(bytes: Uint8Array, check: GuardCheck<T>): GuardResult<T> {
    const shadow = this.shadow ??= this.doc.fork()
    const before = shadow.oplogVersion()
    try {
      const status = shadow.import(bytes)
      // Changes whose dependencies are missing would wait in the shadow and be applied later
      // without a check; refuse them (a sync exchange fills the gap) and start a clean shadow.
      if (status.pending != null && status.pending.size > 0) return this.refuse('pending')
    } catch {
      return this.refuse('decode')
    }
    const after = shadow.oplogVersion()
    if (before.compare(after) === 0) return { ok: true, replay: true }
    let verdict: ReturnType<GuardCheck<T>>
    try {
      verdict = check(shadow.exportJsonUpdates(before, after), shadow)
    } catch {
      return this.refuse('decode')
    }
    if (!verdict.ok) return this.refuse(verdict.reason)
    this.doc.import(bytes)
    return { ok: true, replay: false, value: verdict.value }
  }

  /** Keeps the shadow in step with a change made on the document itself (a local write). */
  local(update: Uint8Array): void {
    if (this.shadow == null) return
    try {
      this.shadow.import(update)
    } catch {
      this.reset()
    }
  }

  /** Frees the shadow (the document is being dropped, or changed behind the guard's back). */
  reset(): void {
    this.shadow?.free()
    this.shadow = null
  }

  private refuse(reason: DropReason | 'pending'): { ok: false; reason: DropReason | 'pending' } {
    this.reset()
    return { ok: false, reason }
  }
}
