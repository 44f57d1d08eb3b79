import { LoroDoc } from 'loro-crdt'
import { exportSpans, UpdateGuard } from './UpdateGuard.js'
import { checkUpdate } from './updateRules.js'
import { WorldDoc } from './WorldDoc.js'
import { WORLD_CONTAINERS } from './worldSchema.js'
import type { WorldLog } from './StatePersistence.js'
import type { UpdateOrigin } from './updateRules.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { IdSpan, LoroTree, TreeID, VersionVector } from 'loro-crdt'

/**
 * The outcome of an incoming update: applied (or a replay of known operations), or refused.
 * `spans` are the operations it added (none for a replay); `retried`, those of updates that
 * waited for it and went in with it.
 */
export type ReplicaResult =
  | { ok: true; replay: boolean; chat: ChatMessage[]; durable: Promise<void>; spans: IdSpan[]; retried?: IdSpan[] }
  | { ok: false; reason: DropReason | 'pending' }

const DONE = Promise.resolve()
/** Updates waiting for history they build on, retried after each update that adds something. */
const MAX_PENDING = 64

/**
 * One world's document on this node, with the guard every incoming update passes and, where
 * the node persists (the root), the world's log: accepted updates and local writes are
 * imported, then appended; replays (operations all known already) are neither imported nor logged.
 */
export class WorldReplica {
  /** The document; it lags behind the guard's shadow by accepted updates until `world()` commits them. */
  private readonly doc: WorldDoc
  private readonly guard: UpdateGuard
  private compacting = false
  private pending: Array<{ bytes: Uint8Array; origin: UpdateOrigin; chatMaxLength: number }> = []
  /** The document's scene tree, held rather than looked up per update (each lookup is a call into Loro). */
  private readonly scene: LoroTree
  /** Scene nodes created by accepted updates, at least those the document has not taken yet. */
  private readonly createdInLag = new Set<string>()

  constructor(readonly id: string, private readonly log: WorldLog | null, private readonly onError: (err: unknown) => void = () => {}) {
    const doc = new LoroDoc()
    restore(doc, log?.stored() ?? [], onError)
    this.doc = new WorldDoc(doc)
    this.scene = doc.getTree(WORLD_CONTAINERS.scene)
    this.guard = new UpdateGuard(doc, onError)
  }

  /** The world's document with every accepted update in it. Call it for each read or write rather than holding the result. */
  world(): WorldDoc {
    this.guard.commit()
    this.createdInLag.clear()
    return this.doc
  }

  /** Whether this replica keeps its world on disk. */
  persists(): boolean { return this.log != null }

  /**
   * Checks and applies an update from outside. Never throws. An update that builds on history
   * this node lacks is refused ('pending') but kept aside (64 at most) and applied, still
   * checked, as soon as an update fills the gap.
   */
  receive(bytes: Uint8Array, origin: UpdateOrigin, chatMaxLength: number): ReplicaResult {
    const result = this.receiveOne(bytes, origin, chatMaxLength)
    if (!result.ok) {
      if (result.reason === 'pending') {
        this.pending.push({ bytes, origin, chatMaxLength })
        if (this.pending.length > MAX_PENDING) this.pending.shift()
      }
      return result
    }
    if (result.replay || this.pending.length === 0) return result
    const chat = [...result.chat]
    const durable = [result.durable]
    const retried: IdSpan[] = []
    for (let progress = true; progress;) {
      progress = false
      for (const waiting of this.pending.splice(0)) {
        const again = this.receiveOne(waiting.bytes, waiting.origin, waiting.chatMaxLength)
        if (!again.ok && again.reason === 'pending') this.pending.push(waiting)
        if (!again.ok || again.replay) continue
        progress = true
        retried.push(...again.spans)
        chat.push(...again.chat)
        durable.push(again.durable)
      }
    }
    return { ok: true, replay: false, chat, durable: Promise.all(durable).then(() => {}), spans: result.spans, retried }
  }

  private receiveOne(bytes: Uint8Array, origin: UpdateOrigin, chatMaxLength: number): ReplicaResult {
    // The nodes known before the update: the document's (it has not taken the update) and those
    // of accepted updates it has not taken yet either.
    const known = (id: string): boolean => this.createdInLag.has(id) || this.scene.has(id as TreeID)
    const result = this.guard.apply(bytes, (changes) => {
      const verdict = checkUpdate(changes, origin, chatMaxLength, known)
      return verdict.ok ? { ok: true, value: verdict } : verdict
    })
    if (!this.guard.lags()) this.createdInLag.clear()
    if (!result.ok) return result
    // A replay may still be on its way to disk (the same update came by gossip a moment ago).
    if (result.replay) return { ok: true, replay: true, chat: [], durable: this.log?.flushed() ?? DONE, spans: [] }
    if (this.guard.lags()) for (const id of result.value.created) this.createdInLag.add(id)
    return { ok: true, replay: false, chat: result.value.chat, durable: this.persist(bytes), spans: result.spans }
  }

  /** Records a write this node made on `world` (already in the document); resolves once durable. */
  local(update: Uint8Array): Promise<void> {
    this.guard.local(update)
    return this.persist(update)
  }

  /** This replica's version vector. */
  version(): VersionVector { return this.world().doc.oplogVersion() }

  /** What a peer at version `theirs` lacks (empty when nothing). */
  missing(theirs: VersionVector): Uint8Array {
    const doc = this.world().doc
    const order = doc.oplogVersion().compare(theirs)
    if (order !== undefined && order <= 0) return new Uint8Array(0)
    return doc.export({ mode: 'update', from: theirs })
  }

  /** The operations of `spans` as one update (to pass on what several updates added, in one message). */
  exportSpans(spans: IdSpan[]): Uint8Array {
    return exportSpans(this.world().doc, spans)
  }

  /** Whether this replica lacks something a peer at `theirs` holds. */
  lacks(theirs: VersionVector): boolean {
    const order = this.world().doc.oplogVersion().compare(theirs)
    return order === undefined || order < 0
  }

  /** Resolves once everything logged so far is on disk. */
  flushed(): Promise<void> { return this.log?.flushed() ?? DONE }

  destroy(): void {
    this.pending = []
    this.guard.dispose()
    this.doc.doc.free()
  }

  private persist(update: Uint8Array): Promise<void> {
    const log = this.log
    if (log == null) return DONE
    const durable = log.append(update)
    if (!this.compacting && !this.guard.hasFaulted() && log.wantsCompaction()) {
      this.compacting = true
      log.compact(() => {
        const doc = this.world().doc
        // A snapshot replaces the log: never one of a document that missed an update the log holds.
        if (this.guard.hasFaulted()) throw new Error(`World ${this.id} is not compacted: its document missed an accepted update (see the earlier error); the log keeps every update.`)
        return doc.export({ mode: 'snapshot' })
      })
        .catch(this.onError)
        .finally(() => { this.compacting = false })
    }
    return durable
  }
}

/** Loads stored history into `doc`; a record Loro refuses is skipped and reported rather than failing the load. */
export function restore(doc: LoroDoc, stored: Uint8Array[], onError: (err: unknown) => void): void {
  if (stored.length === 0) return
  try {
    doc.importBatch(stored)
    return
  } catch {
    // Fall back to one record at a time below.
  }
  for (const [i, bytes] of stored.entries()) {
    try {
      doc.import(bytes)
    } catch (err) {
      onError(new Error(`stored record ${i} of the world log could not be imported and was skipped: ${String(err)}`))
    }
  }
}
