import type { JsonOp, LoroDoc } from 'loro-crdt'

/** The outcome of trying an update against a copy of a document. */
export type TrialResult = { ok: true; ops: JsonOp[] } | { ok: false; reason: 'decode' | 'pending' }

/**
 * Imports `bytes` into a fork of `doc` and returns the operations it would add, so they can be
 * checked before the real document sees them. Updates whose dependencies are missing are refused
 * ('pending'): applying them later would skip this check; a sync request fills the gap instead.
 */
export function trialImport(doc: LoroDoc, bytes: Uint8Array): TrialResult {
  const fork = doc.fork()
  try {
    const status = fork.import(bytes)
    if (status.pending != null && status.pending.size > 0) return { ok: false, reason: 'pending' }
    const json = fork.exportJsonUpdates(doc.oplogVersion(), fork.oplogVersion())
    return { ok: true, ops: json.changes.flatMap((c) => c.ops) }
  } catch {
    return { ok: false, reason: 'decode' }
  } finally {
    fork.free()
  }
}
