import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { openStoredWorld } from '@peercompute/kernel'
import type { WorldStateAt, WorldVersion } from '@peercompute/kernel'
import { readWorldFolder } from './FileWorldLog.js'
import { STATE_DIR, worldDir } from './filePersistence.js'

/** Thrown when a data folder holds no state for the world asked for. */
export class NoWorldStateError extends Error {
  override name = 'NoWorldStateError'
}

/** What `peercompute state` reads: a world's history and its state at a version. */
export interface WorldStateReport {
  world: string
  /** Bytes of a torn log tail that a running root would drop (read-only here: the files are not changed). */
  tornBytes: number
  badSnapshot: boolean
  versions: WorldVersion[]
}

/**
 * Reads a world's log and snapshot from a root's data folder, read-only (safe while the root
 * runs: a record being written is seen as a torn tail and left alone).
 */
export function readWorldState(dataDir: string, world: string): WorldStateReport & { stateAt(version?: string): WorldStateAt; close(): void } {
  const dir = worldDir(join(dataDir, STATE_DIR), world)
  if (!existsSync(dir)) throw new NoWorldStateError(`No state for world "${world}" in ${dataDir} (expected ${dir}). Check --data and the world id.`)
  const { stored, tornBytes, badSnapshot } = readWorldFolder(dir, false)
  const opened = openStoredWorld(stored)
  return {
    world,
    tornBytes,
    badSnapshot,
    versions: opened.history(),
    stateAt: (version) => opened.stateAt(version),
    close: () => { opened.free() }
  }
}
