import type { DropReason } from '../KernelEvents.js'
import type { IdSpan, JsonChange, LoroDoc } from 'loro-crdt'

/** The outcome of guarding one incoming update; `spans` are the operations it added. */
export type GuardResult<T> =
  | { ok: true; replay: false; value: T; spans: IdSpan[] }
  | { ok: true; replay: true }
  | { ok: false; reason: DropReason | 'pending' }

/**
 * What a check decides after seeing the changes an update adds. It runs before the document
 * takes them, so the document shows (at most) what was accepted before this update.
 */
export type GuardCheck<T> = (changes: JsonChange[]) => { ok: true; value: T } | { ok: false; reason: DropReason }

/** Accepted updates the document may lag behind the shadow by, before it takes them. */
const MAX_LAG = 256

/** The operations `spans` of `doc` as one update. */
export function exportSpans(doc: LoroDoc, spans: readonly IdSpan[]): Uint8Array {
  return doc.export({ mode: 'updates-in-range', spans: spans.map(({ peer, counter, length }) => ({ id: { peer, counter }, len: length })) })
}

/**
 * Lets an update into a document only after its operations were seen and checked, so a
 * corrupted, truncated or malicious update never touches the document.
 *
 * The update is imported first into a shadow copy kept in step with the document. The shadow is
 * attached (its state is applied, not only its history): an update that decodes but breaks
 * Loro's state (a list insert past the end, say) throws there, not in the document. The import
 * status names the operations the update added, and only those are read back as JSON
 * (O(update), not O(document)) and checked.
 *
 * The document takes accepted updates in groups (`commit`): one import of what several
 * updates added, exported from the shadow as one update, costs about half of importing each
 * (Loro pays most of an import per call, not per operation). Whoever reads or writes the document
 * commits first; until then it lags behind the shadow by accepted updates only. A refused update
 * leaves the shadow dirty: the document takes what was accepted, and the shadow is dropped and
 * forked again on the next update.
 */
export class UpdateGuard {
  private shadow: LoroDoc | null = null
  private lag: { spans: IdSpan[]; updates: Uint8Array[] } = { spans: [], updates: [] }
  private faulted = false

  /** `onError` hears of an accepted update the document could not take (a Loro fault: the shadow took it). */
  constructor(private readonly doc: LoroDoc, private readonly onError: (err: unknown) => void = () => {}) {}

  /** Tries `bytes` on the shadow and runs `check` on what it adds; if accepted, the document takes it at the next commit. Never throws. */
  apply<T>(bytes: Uint8Array, check: GuardCheck<T>): GuardResult<T> {
    const shadow = this.shadow ??= this.doc.fork()
    const spans: IdSpan[] = []
    try {
      const status = shadow.import(bytes)
      // Changes whose dependencies are missing would wait in the shadow and be applied later
      // without a check; refuse them (a sync exchange fills the gap) and start a clean shadow.
      if (status.pending != null && status.pending.size > 0) return this.refuse('pending')
      for (const [peer, span] of status.success) {
        if (span.end > span.start) spans.push({ peer, counter: span.start, length: span.end - span.start })
      }
    } catch {
      return this.refuse('decode')
    }
    if (spans.length === 0) return { ok: true, replay: true }
    let verdict: ReturnType<GuardCheck<T>>
    try {
      verdict = check(spans.flatMap((span) => shadow.exportJsonInIdSpan(span)))
    } catch {
      return this.refuse('decode')
    }
    if (!verdict.ok) return this.refuse(verdict.reason)
    this.lag.spans.push(...spans)
    this.lag.updates.push(bytes)
    if (this.lag.updates.length >= MAX_LAG) this.commit()
    return { ok: true, replay: false, value: verdict.value, spans }
  }

  /** Whether the document lacks accepted updates (it takes them at the next `commit`). */
  lags(): boolean { return this.lag.updates.length > 0 }

  /** Whether the document ever failed to take an accepted update (a Loro fault): it then lacks something the log holds. */
  hasFaulted(): boolean { return this.faulted }

  /** Brings the document up to date with every accepted update. Call before reading or writing it. Never throws. */
  commit(): void {
    const { spans, updates } = this.lag
    if (updates.length === 0) return
    this.lag = { spans: [], updates: [] }
    try {
      this.doc.import(exportSpans(this.shadow!, spans))
    } catch {
      // A shadow that broke on a refused update cannot export: take the updates as they came
      // (each applied cleanly on the shadow; Loro skips what a failed import took already).
      for (const update of updates) {
        try {
          this.doc.import(update)
        } catch (err) {
          this.faulted = true
          this.onError(new Error(`An update the world's shadow document took could not be imported into the document itself: ${String(err)}`))
        }
      }
    }
  }

  /** Keeps the shadow in step with a change made on the (committed) document itself: a local write. */
  local(update: Uint8Array): void {
    if (this.shadow == null) return
    try {
      this.shadow.import(update)
    } catch {
      this.reset()
    }
  }

  /** Commits, then frees the shadow (the document changed behind the guard's back). */
  reset(): void {
    this.commit()
    this.dispose()
  }

  /** Frees the shadow without committing (the document is being dropped). */
  dispose(): void {
    this.lag = { spans: [], updates: [] }
    this.shadow?.free()
    this.shadow = null
  }

  private refuse(reason: DropReason | 'pending'): { ok: false; reason: DropReason | 'pending' } {
    this.reset()
    return { ok: false, reason }
  }
}
