import { bundlePathProblem } from './bundlePath.js'
import { BundleHashError, BundlePathError } from './errors.js'
import type { BundleManifest } from './manifestSchema.js'
import { sha256Hex } from './sha256Hex.js'

const RELOAD = "Nothing from it was run. Reload; if it persists, tell the root's operator."

function altered(manifest: BundleManifest, path: string): BundleHashError {
  return new BundleHashError(
    `The ${manifest.id} bundle's file ${path} does not match its signed hash: the root or a proxy served altered code. ${RELOAD}`,
  )
}

/**
 * Checks one file's bytes against the size and SHA-256 its (verified) manifest lists.
 * Throws {@link BundlePathError} when the path is unsafe or not listed, {@link BundleHashError} on a mismatch.
 */
export async function verifyFile(manifest: BundleManifest, path: string, bytes: Uint8Array): Promise<void> {
  const problem = bundlePathProblem(path)
  if (problem !== null) {
    throw new BundlePathError(`The ${manifest.id} bundle was offered a file whose path "${path}" ${problem}. ${RELOAD}`)
  }
  const entry = manifest.files.find((f) => f.path === path)
  if (entry === undefined) {
    throw new BundlePathError(`The ${manifest.id} bundle's signed manifest does not list the file ${path}. ${RELOAD}`)
  }
  if (bytes.byteLength !== entry.size || (await sha256Hex(bytes)) !== entry.sha256) {
    throw altered(manifest, path)
  }
}

/**
 * Checks a whole bundle: every listed file present and matching, and no file that the manifest
 * does not list. Missing files throw {@link BundleHashError}; extra ones {@link BundlePathError}.
 */
export async function verifyBundleFiles(manifest: BundleManifest, files: Map<string, Uint8Array>): Promise<void> {
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const path of files.keys()) {
    if (!listed.has(path)) {
      throw new BundlePathError(
        `The ${manifest.id} bundle contains the file ${path}, which its signed manifest does not list. ${RELOAD}`,
      )
    }
  }
  for (const file of manifest.files) {
    const bytes = files.get(file.path)
    if (bytes === undefined) {
      throw new BundleHashError(`The ${manifest.id} bundle is missing its signed file ${file.path}. ${RELOAD}`)
    }
    await verifyFile(manifest, file.path, bytes)
  }
}
