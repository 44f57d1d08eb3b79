/**
 * Durable storage of worlds' documents, given to a node that must not lose acknowledged
 * updates (the root). The kernel imports an update into its document first, then appends it,
 * so everything in the log is always in the document; a snapshot taken at any point covers the
 * log written before it. root-server's `filePersistence` implements it on a data folder.
 */
export interface StatePersistence {
  /** Opens (or creates) the log of `world`. Opening the same world twice returns the same log. */
  open(world: string): WorldLog
  /** Whether `world` has stored state (so a sync request for it need not create anything). */
  has(world: string): boolean
  /** Flushes and closes every log. */
  close(): Promise<void>
}

/** One world's append-only update log with snapshot compaction. */
export interface WorldLog {
  /** What was stored when the log was opened: the snapshot (if any), then every logged update, in order. */
  stored(): Uint8Array[]
  /** Appends an accepted update; resolves once it is on disk (fsynced). Appends are written in order. */
  append(update: Uint8Array): Promise<void>
  /** Resolves once everything appended so far is on disk. */
  flushed(): Promise<void>
  /** Whether the log has grown enough that a snapshot should replace it. */
  wantsCompaction(): boolean
  /**
   * Replaces snapshot + log by a new snapshot, atomically. `snapshot` is called once every
   * earlier append is on disk, and must return the document's full state at that moment.
   */
  compact(snapshot: () => Uint8Array): Promise<void>
}
