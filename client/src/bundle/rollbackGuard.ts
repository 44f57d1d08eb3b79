import { checkNotRollback, compareVersions } from '@peercompute/signing'
import type { VersionMemory } from './versionMemory.js'

/**
 * Refuses a bundle older than the newest version of its world this browser has run (throws
 * signing's BundleRollbackError), then records the version as run when it is newer. Call after
 * the bundle verified and before any of it runs; the same version again (a reload) passes.
 */
export async function guardAgainstRollback(memory: VersionMemory, manifest: { id: string; version: string }): Promise<void> {
  const last = await memory.lastRun(manifest.id)
  checkNotRollback(manifest.id, manifest.version, last)
  if (last === null || compareVersions(manifest.version, last) > 0) await memory.remember(manifest.id, manifest.version)
}
