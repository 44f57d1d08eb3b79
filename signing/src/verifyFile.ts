import { bundlePathProblem } from './bundlePath.js'
import { BundleHashError, BundlePathError } from './errors.js'
import type { BundleManifest } from './manifestSchema.js'
import { sha256 } from './sha256.js'
import { sha256Hex } from './sha256Hex.js'

/** How file errors read, by who verifies. The default suits a player's client. */
export interface FileCheckWording {
  /** Why the bytes differ from the signed hash. @default 'the root or a proxy served altered code' */
  altered?: string
  /** Ends every message: what to do. @default "Nothing from it was run. Reload; if it persists, tell the root's operator." */
  advice?: string
}

const CLIENT_WORDING: Required<FileCheckWording> = {
  altered: 'the root or a proxy served altered code',
  advice: "Nothing from it was run. Reload; if it persists, tell the root's operator.",
}

/**
 * Checks one file's bytes against the size and SHA-256 its (verified) manifest lists.
 * Throws {@link BundlePathError} when the path is unsafe or not listed, {@link BundleHashError} on a mismatch.
 */
export async function verifyFile(
  manifest: BundleManifest,
  path: string,
  bytes: Uint8Array,
  wording: FileCheckWording = {},
): Promise<void> {
  const w = { ...CLIENT_WORDING, ...wording }
  const problem = bundlePathProblem(path)
  if (problem !== null) {
    throw new BundlePathError(`The ${manifest.id} bundle was offered a file whose path "${path}" ${problem}. ${w.advice}`)
  }
  const entry = manifest.files.find((f) => f.path === path)
  if (entry === undefined) {
    throw new BundlePathError(`The ${manifest.id} bundle's signed manifest does not list the file ${path}. ${w.advice}`)
  }
  if (bytes.byteLength !== entry.size || (await sha256Hex(bytes)) !== entry.sha256) {
    throw new BundleHashError(
      `The ${manifest.id} bundle's file ${path} does not match its signed hash: ${w.altered}. ${w.advice}`,
    )
  }
}

/** SHA-256 (lowercase hex) of every file, by path, in one call to {@link sha256} (no per-file round trips). */
export async function hashFiles(files: Map<string, Uint8Array>): Promise<Map<string, string>> {
  const paths = [...files.keys()]
  const hexes = await sha256.hex([...files.values()])
  return new Map(paths.map((path, i) => [path, hexes[i] as string]))
}

/**
 * Checks a whole bundle: every listed file present and matching, and no file that the manifest
 * does not list. Missing files throw {@link BundleHashError}; extra ones {@link BundlePathError}.
 */
export async function verifyBundleFiles(
  manifest: BundleManifest,
  files: Map<string, Uint8Array>,
  wording: FileCheckWording = {},
): Promise<void> {
  checkFileHashes(manifest, files, await hashFiles(files), wording)
}

/**
 * {@link verifyBundleFiles} on hashes computed beforehand by {@link hashFiles} (so hashing can run
 * while the signature is checked). Throws the same errors.
 */
export function checkFileHashes(
  manifest: BundleManifest,
  files: Map<string, Uint8Array>,
  hashes: Map<string, string>,
  wording: FileCheckWording = {},
): void {
  const w = { ...CLIENT_WORDING, ...wording }
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const path of files.keys()) {
    if (!listed.has(path)) {
      throw new BundlePathError(
        `The ${manifest.id} bundle contains the file ${path}, which its signed manifest does not list. ${w.advice}`,
      )
    }
  }
  for (const file of manifest.files) {
    const bytes = files.get(file.path)
    if (bytes === undefined) {
      throw new BundleHashError(`The ${manifest.id} bundle is missing its signed file ${file.path}. ${w.advice}`)
    }
    if (bytes.byteLength !== file.size || hashes.get(file.path) !== file.sha256) {
      throw new BundleHashError(
        `The ${manifest.id} bundle's file ${file.path} does not match its signed hash: ${w.altered}. ${w.advice}`,
      )
    }
  }
}
