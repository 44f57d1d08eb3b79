import { LoroDoc, VersionVector } from 'loro-crdt'
import { WorldDoc } from './WorldDoc.js'
import { restore } from './WorldReplica.js'
import type { EntityView, WorldSettings } from './worldSchema.js'
import type { ChatMessage } from '../KernelEvents.js'
import type { Change, OpId, PeerID } from 'loro-crdt'

/** One version of a world: the state after every change up to `lamport`. */
export interface WorldVersion {
  /** Frontiers of this version, `counter@peer` joined by commas; pass it to `stateAt`. */
  version: string
  /** Loro's Lamport timestamp of the newest change in this version. */
  lamport: number
  /** When that change was made (its author's clock), ms since the epoch; 0 if unrecorded. */
  time: number
  /** Loro peer id of that change's author. */
  peer: string
  /** Operations in that change. */
  ops: number
  /** What the change did (the intent: placeProp, moveProp, removeProp, reparent, chat, setSetting), if recorded. */
  intent: string | null
}

/** A world as it was at one version. */
export interface WorldStateAt {
  version: string
  entities: EntityView[]
  chat: ChatMessage[]
  settings: WorldSettings
}

/** Thrown for a version string that is malformed or names history this world does not hold. */
export class UnknownVersionError extends Error {
  override name = 'UnknownVersionError'
}

/**
 * The world's versions, oldest first: one per Loro change (one intent), each the causally closed cut of every change with a Lamport time up to its own.
 */
export function worldHistory(doc: LoroDoc): WorldVersion[] {
  const changes: Change[] = [...doc.getAllChanges().values()].flat()
  changes.sort((a, b) => a.lamport - b.lamport || (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : a.counter - b.counter))
  const ends = new Map<PeerID, number>()
  return changes.map((change) => {
    ends.set(change.peer, change.counter + change.length)
    const frontiers = doc.vvToFrontiers(new VersionVector(ends))
    return { version: formatVersion(frontiers), lamport: change.lamport + change.length - 1, time: change.timestamp * 1000, peer: change.peer, ops: change.length, intent: change.message ?? null }
  })
}

/** The world's current version string. */
export function currentVersion(doc: LoroDoc): string {
  return formatVersion(doc.oplogFrontiers())
}

/** Reads the world as it was at `version` (from `worldHistory`), on a fork: the document itself is untouched. */
export function worldStateAt(doc: LoroDoc, version: string): WorldStateAt {
  const frontiers = parseVersion(version)
  try {
    doc.frontiersToVV(frontiers)
  } catch {
    throw new UnknownVersionError(`Version "${version}" is not in this world's history; list versions with "peercompute state history".`)
  }
  const fork = doc.forkAt(frontiers)
  try {
    const world = new WorldDoc(fork)
    return { version, entities: world.entities(), chat: world.chatMessages(Number.MAX_SAFE_INTEGER), settings: world.settings() }
  } finally {
    fork.free()
  }
}

/** `counter@peer,…` for a frontier list. */
export function formatVersion(frontiers: OpId[]): string {
  return frontiers.map((f) => `${f.counter}@${f.peer}`).sort().join(',')
}

/** Parses a version string; throws UnknownVersionError when malformed. */
export function parseVersion(version: string): OpId[] {
  if (version === '') return []
  return version.split(',').map((part) => {
    const m = /^(\d+)@(\d+)$/.exec(part.trim())
    if (m == null) throw new UnknownVersionError(`"${version}" is not a version: expect counter@peer pairs joined by commas, as "peercompute state history" prints them.`)
    return { counter: Number(m[1]), peer: m[2] as PeerID }
  })
}

/** A world's stored history opened read-only (what `peercompute state` reads from a root's data folder). */
export interface StoredWorld {
  history(): WorldVersion[]
  /** The world at `version`, or now when omitted. */
  stateAt(version?: string): WorldStateAt
  /** Bytes of a full snapshot of the world now. */
  snapshot(): Uint8Array
  free(): void
}

/** Opens stored records (a snapshot, then updates) as a world; records Loro refuses are reported to `onError` and skipped. */
export function openStoredWorld(stored: Uint8Array[], onError: (err: unknown) => void = () => {}): StoredWorld {
  const doc = new LoroDoc()
  restore(doc, stored, onError)
  return {
    history: () => worldHistory(doc),
    stateAt: (version) => worldStateAt(doc, version ?? currentVersion(doc)),
    snapshot: () => doc.export({ mode: 'snapshot' }),
    free: () => { doc.free() }
  }
}
