import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CliError } from './command.js'
import type { StorageNotes, StoredState, StoredVersion, WorldStateSource } from './worldStateSource.js'

/** What `peercompute state --data` uses of @peercompute/root-server's persistence (its data folder format). */
interface StateReader {
  readWorldState(dataDir: string, world: string): StorageNotes & {
    versions: StoredVersion[]
    stateAt(version?: string): StoredState
    close(): void
  }
}

/** Finds root-server's compiled persistence module from this file's folder upwards (as `peercompute root` finds its CLI). */
async function loadReader(): Promise<StateReader> {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'node_modules', '@peercompute', 'root-server', 'dist', 'persistence', 'index.js')
    if (existsSync(candidate)) return (await import(pathToFileURL(candidate).href)) as StateReader
    const parent = dirname(dir)
    if (parent === dir) {
      throw new CliError('Reading world state from a data folder needs @peercompute/root-server (it owns the data folder format). Install it next to @peercompute/world-sdk, or in the PeerCompute repo run "npm run build"; or read a running root with --root <url>.')
    }
    dir = parent
  }
}

/**
 * A root's data folder, read-only through root-server's own reader (safe while the root runs).
 * The root's `GET /api/worlds/:id/state[/history]` answers from the same reader.
 */
export function worldStateFromFolder(dataDir: string): WorldStateSource {
  const read = async <T>(world: string, use: (stored: ReturnType<StateReader['readWorldState']>) => T): Promise<T> => {
    const reader = await loadReader()
    let stored
    try {
      stored = reader.readWorldState(dataDir, world)
    } catch (err) {
      throw new CliError((err as Error).message)
    }
    try {
      return use(stored)
    } catch (err) {
      throw new CliError((err as Error).message)
    } finally {
      stored.close()
    }
  }
  const notes = (stored: StorageNotes): StorageNotes => ({ tornBytes: stored.tornBytes, badSnapshot: stored.badSnapshot })
  return {
    history: (world) => read(world, (stored) => ({ ...notes(stored), versions: stored.versions })),
    stateAt: (world, version) => read(world, (stored) => ({ ...notes(stored), state: stored.stateAt(version) })),
  }
}
