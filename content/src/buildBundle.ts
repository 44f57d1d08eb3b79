import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { buildManifest } from '@peercompute/signing'
import type { BundleManifest } from '@peercompute/signing'
import { TERRAIN_COMPUTE_FILES, parseBasisRules, parseWorldDefinition } from '@peercompute/world-sdk'
import { z } from 'zod'
import { placeOnTerrain } from './placeOnTerrain.js'

/** A bundle source folder's bundle.json: who the world is. */
const bundleInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  /** Parent world id; absent for the overworld. */
  parent: z.string().nullable().default(null),
})

/** File names with a meaning to the build; every other file in the folder is copied as an asset. */
export const BUNDLE_INFO_FILE = 'bundle.json'
export const WORLD_FILE = 'world.json'
export const RULES_FILE = 'rules.json'
export const UNSIGNED_MANIFEST_FILE = 'manifest.unsigned.json'

/** A source folder's bundle.json, world.json or rules.json that is not valid. */
export class ContentBuildError extends Error {
  override name = 'ContentBuildError'
}

async function readJson(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ContentBuildError(`Cannot read ${path} (${(err as Error).message}). Create it, then build again.`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ContentBuildError(`${path} is not valid JSON (${(err as Error).message}). Fix it, then build again.`)
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(full)))
    else if (entry.isFile()) out.push(full)
  }
  return out
}

/**
 * Builds one bundle: validates `srcDir`'s bundle.json, rules.json (partial basis rules) and
 * world.json (authored heights relative to the ground, see {@link placeOnTerrain}), then writes
 * `outDir` afresh with world.json as final data, every other file copied (bundle.json excepted:
 * the manifest carries it), the terrain's compute code under compute/, and manifest.unsigned.json
 * (publisher '', entry world.json).
 */
export async function buildBundle(srcDir: string, outDir: string, opts: { now?: Date } = {}): Promise<BundleManifest> {
  const info = bundleInfoSchema.safeParse(await readJson(join(srcDir, BUNDLE_INFO_FILE)))
  if (!info.success) {
    throw new ContentBuildError(
      `${join(srcDir, BUNDLE_INFO_FILE)} must be { id, name, version, parent? }: ${info.error.issues[0]?.message}. Fix it, then build again.`,
    )
  }
  const rules = await readJson(join(srcDir, RULES_FILE))
  parseBasisRules(rules)
  const world = placeOnTerrain(parseWorldDefinition(await readJson(join(srcDir, WORLD_FILE))))

  const files: { path: string; bytes: Uint8Array }[] = []
  for (const full of await listFiles(srcDir)) {
    const path = relative(srcDir, full).split(sep).join('/')
    if (path === BUNDLE_INFO_FILE) continue
    const bytes = path === WORLD_FILE ? new TextEncoder().encode(`${JSON.stringify(world, null, 2)}\n`) : await readFile(full)
    files.push({ path, bytes })
  }
  // The terrain's compute code (WGSL and the CPU kernel's name): nodes run only code a signed
  // bundle lists, and every world has terrain. A folder's own file of the same path is refused.
  for (const code of TERRAIN_COMPUTE_FILES) {
    if (files.some((f) => f.path === code.path)) {
      throw new ContentBuildError(`${join(srcDir, code.path)} is reserved: the build adds the terrain's compute code there. Rename or remove it, then build again.`)
    }
    files.push({ path: code.path, bytes: new TextEncoder().encode(code.text) })
  }
  const manifest = await buildManifest({
    ...info.data,
    entry: WORLD_FILE,
    rules: rules as Record<string, unknown>,
    publisher: '',
    files,
    ...(opts.now === undefined ? {} : { now: opts.now }),
  })

  await rm(outDir, { recursive: true, force: true })
  for (const file of files) {
    const target = join(outDir, ...file.path.split('/'))
    await mkdir(join(target, '..'), { recursive: true })
    await writeFile(target, file.bytes)
  }
  await writeFile(join(outDir, UNSIGNED_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
  return manifest
}
