import { readFile, rename, writeFile } from 'node:fs/promises'
import { CliError } from './command.js'

/** Reads a bundle file's bytes, or a one-line error. */
export async function readBundleBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new CliError(code === 'ENOENT' ? `${path} does not exist. Make a bundle with "peercompute build".` : `Cannot read ${path} (${(err as Error).message}).`)
  }
}

/** Writes a bundle file whole (temp file + rename, so a failure never leaves half a bundle). */
export async function writeBundleBytes(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, bytes)
  await rename(tmp, path)
}
