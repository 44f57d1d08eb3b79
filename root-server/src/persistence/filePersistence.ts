import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { StatePersistence } from '@peercompute/kernel'
import { FileWorldLog } from './FileWorldLog.js'
import type { CompactionPolicy } from './FileWorldLog.js'

/** Where world state lives in the data folder: `<data>/state/<world>/`. */
export const STATE_DIR = 'state'

const WORLD_ID = /^[a-z0-9][a-z0-9-]{1,62}$/

/** Thrown for a world id that cannot name a folder (it must match the world id pattern). */
export class WorldIdError extends Error {
  override name = 'WorldIdError'
}

/** Options of {@link filePersistence}. */
export interface FilePersistenceInit {
  /** The `state` folder (usually `<data>/state`). */
  dir: string
  /** When a world's log is compacted into a snapshot. */
  compaction?: CompactionPolicy
  /** Told when loading dropped a torn log tail or ignored a bad snapshot. */
  onRepair?: (world: string, report: { tornBytes: number; badSnapshot: boolean }) => void
}

/** File persistence with its open logs, for the root's wiring and tests. */
export interface FilePersistence extends StatePersistence {
  open(world: string): FileWorldLog
  /** The folder of `world`'s files. */
  worldDir(world: string): string
}

/** The folder of `world` under a `state` folder; throws WorldIdError for ids that are not world ids. */
export function worldDir(stateDir: string, world: string): string {
  if (!WORLD_ID.test(world)) throw new WorldIdError(`"${world}" is not a world id (lowercase letters, digits and dashes, 2-63 characters).`)
  return join(stateDir, world)
}

/**
 * The root's world-state persistence: one folder per world with an append-only log (records of
 * length + CRC-32 + Loro update, fsynced before an update is acknowledged) and a snapshot that
 * periodically replaces the log. Loading drops a torn tail, so a crash never leaves a world that fails to load.
 */
export function filePersistence(init: FilePersistenceInit): FilePersistence {
  const logs = new Map<string, FileWorldLog>()
  return {
    worldDir: (world) => worldDir(init.dir, world),
    has: (world) => WORLD_ID.test(world) && (logs.has(world) || existsSync(worldDir(init.dir, world))),
    open(world) {
      let log = logs.get(world)
      if (log == null) {
        log = new FileWorldLog(worldDir(init.dir, world), init.compaction)
        const report = log.loadReport()
        if (report.tornBytes > 0 || report.badSnapshot) init.onRepair?.(world, report)
        logs.set(world, log)
      }
      return log
    },
    async close() {
      const open = [...logs.values()]
      logs.clear()
      await Promise.all(open.map((log) => log.close()))
    }
  }
}
