import { LoroDoc } from 'loro-crdt'
import { UpdateGuard } from './UpdateGuard.js'
import { checkUpdate } from './updateRules.js'
import { WorldDoc } from './WorldDoc.js'
import { WORLD_CONTAINERS } from './worldSchema.js'
import type { WorldLog } from './StatePersistence.js'
import type { UpdateOrigin } from './updateRules.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { TreeID, VersionVector } from 'loro-crdt'

/** The outcome of an incoming update: applied (or a replay of known operations), or refused. */
export type ReplicaResult =
  | { ok: true; replay: boolean; chat: ChatMessage[]; durable: Promise<void>; retried?: Uint8Array[] }
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
  readonly world: WorldDoc
  private readonly guard: UpdateGuard
  private compacting = false
  private pending: Array<{ bytes: Uint8Array; origin: UpdateOrigin; chatMaxLength: number }> = []

  constructor(readonly id: string, private readonly log: WorldLog | null, private readonly onError: (err: unknown) => void = () => {}) {
    const doc = new LoroDoc()
    restore(doc, log?.stored() ?? [], onError)
    this.world = new WorldDoc(doc)
    this.guard = new UpdateGuard(doc)
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
    const retried: Uint8Array[] = []
    for (let progress = true; progress;) {
      progress = false
      for (const waiting of this.pending.splice(0)) {
        const again = this.receiveOne(waiting.bytes, waiting.origin, waiting.chatMaxLength)
        if (!again.ok && again.reason === 'pending') this.pending.push(waiting)
        if (!again.ok || again.replay) continue
        progress = true
        retried.push(waiting.bytes)
        chat.push(...again.chat)
        durable.push(again.durable)
      }
    }
    return { ok: true, replay: false, chat, durable: Promise.all(durable).then(() => {}), retried }
  }

  private receiveOne(bytes: Uint8Array, origin: UpdateOrigin, chatMaxLength: number): ReplicaResult {
    const result = this.guard.apply(bytes, (json, shadow) => {
      const tree = shadow.getTree(WORLD_CONTAINERS.scene)
      const verdict = checkUpdate(json, origin, chatMaxLength, (id) => tree.has(id as TreeID))
      return verdict.ok ? { ok: true, value: verdict.chat } : verdict
    })
    if (!result.ok) return result
    // A replay may still be on its way to disk (the same update came by gossip a moment ago).
    if (result.replay) return { ok: true, replay: true, chat: [], durable: this.log?.flushed() ?? DONE }
    return { ok: true, replay: false, chat: result.value, durable: this.persist(bytes) }
  }

  /** Records a write this node made on `world` (already in the document); resolves once durable. */
  local(update: Uint8Array): Promise<void> {
    this.guard.local(update)
    return this.persist(update)
  }

  /** This replica's version vector. */
  version(): VersionVector { return this.world.doc.oplogVersion() }

  /** What a peer at version `theirs` lacks (empty when nothing). */
  missing(theirs: VersionVector): Uint8Array {
    const order = this.world.doc.oplogVersion().compare(theirs)
    if (order !== undefined && order <= 0) return new Uint8Array(0)
    return this.world.doc.export({ mode: 'update', from: theirs })
  }

  /** Whether this replica lacks something a peer at `theirs` holds. */
  lacks(theirs: VersionVector): boolean {
    const order = this.world.doc.oplogVersion().compare(theirs)
    return order === undefined || order < 0
  }

  /** Resolves once everything logged so far is on disk. */
  flushed(): Promise<void> { return this.log?.flushed() ?? DONE }

  destroy(): void {
    this.pending = []
    this.guard.reset()
    this.world.doc.free()
  }

  private persist(update: Uint8Array): Promise<void> {
    const log = this.log
    if (log == null) return DONE
    const durable = log.append(update)
    if (!this.compacting && log.wantsCompaction()) {
      this.compacting = true
      log.compact(() => this.world.doc.export({ mode: 'snapshot' }))
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
