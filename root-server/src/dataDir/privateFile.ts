import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** File mode of secrets in the data folder: readable and writable by the owner only. */
export const PRIVATE_FILE_MODE = 0o600

/**
 * Writes `data` to `path` so that a crash never leaves a half-written file (temp file + rename),
 * with `mode` set even when the file existed before (`writeFile`'s mode applies only on create).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
  await writeFile(tmp, data, { mode })
  await chmod(tmp, mode)
  await rename(tmp, path)
}

/** The file's bytes, or `null` when it does not exist (any other error is thrown). */
export async function readFileIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}
