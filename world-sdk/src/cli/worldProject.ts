import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { WORLD_ID_PATTERN, bundlePathProblem } from '@peercompute/signing'
import { z } from 'zod'
import { parseBasisRules } from '../rules/basisRules.js'
import { placeOnTerrain } from '../world/placeOnTerrain.js'
import { parseWorldDefinition } from '../world/worldDefinition.js'
import { CliError } from './command.js'

/** File names with a meaning to the build; every other file is bundled as it is. */
export const PROJECT_FILE = 'bundle.json'
export const WORLD_FILE = 'world.json'
export const RULES_FILE = 'rules.json'

/** A world project's bundle.json: who the world is. */
export const projectSchema = z.strictObject({
  id: z.string().regex(WORLD_ID_PATTERN, 'must be 2-63 lowercase letters, digits or "-"'),
  name: z.string().min(1).max(128),
  version: z.string().min(1),
  /** Parent world id. @default 'overworld' */
  parent: z.string().regex(WORLD_ID_PATTERN).default('overworld'),
  /** The file a client loads first. @default 'world.json' */
  entry: z.string().default(WORLD_FILE),
})

/** A world project read from disk: its identity, rules and the files to bundle (bundle.json excepted). */
export interface WorldProject {
  info: z.infer<typeof projectSchema>
  rules: Record<string, unknown>
  files: { path: string; bytes: Uint8Array }[]
}

// Folders and files that never belong in a bundle.
const SKIPPED = new Set(['node_modules', '.git', '.DS_Store'])

/**
 * Reads and checks a world project: bundle.json, rules.json (partial basis rules) and world.json
 * (spawn and prop heights relative to the ground, placed on the terrain here, as the overworld's build does).
 * `onProgress` sees the bytes read so far out of the total, after each file.
 */
export async function readWorldProject(dir: string, onProgress?: (read: number, total: number) => void): Promise<WorldProject> {
  const parsed = projectSchema.safeParse(await readJson(dir, PROJECT_FILE))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CliError(`${join(dir, PROJECT_FILE)}: ${issue?.path.join('.') || 'file'} ${issue?.message ?? 'is not valid'}. Fix it, then build again.`)
  }
  const rules = await readJson(dir, RULES_FILE)
  try {
    parseBasisRules(rules)
  } catch (err) {
    throw new CliError(`${join(dir, RULES_FILE)}: ${(err as Error).message}`)
  }
  let world
  try {
    world = placeOnTerrain(parseWorldDefinition(await readJson(dir, WORLD_FILE)))
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError(`${join(dir, WORLD_FILE)}: ${(err as Error).message}`)
  }
  const listed = (await listFiles(dir)).filter((full) => relative(dir, full) !== PROJECT_FILE)
  const sizes = await Promise.all(listed.map(async (full) => (await stat(full)).size))
  const total = sizes.reduce((a, b) => a + b, 0)
  const files: WorldProject['files'] = []
  let read = 0
  for (const [i, full] of listed.entries()) {
    const path = relative(dir, full).split(sep).join('/')
    const problem = bundlePathProblem(path)
    if (problem !== null) throw new CliError(`The file name "${path}" ${problem}; rename it, then build again.`)
    const bytes = path === WORLD_FILE ? new TextEncoder().encode(`${JSON.stringify(world, null, 2)}\n`) : new Uint8Array(await readFile(full))
    if (path.endsWith('.json') && looksLikePrivateKey(bytes)) {
      throw new CliError(`${path} looks like a private key; move it out of the world project, or it would be published.`)
    }
    files.push({ path, bytes })
    read += sizes[i] ?? 0
    onProgress?.(read, total)
  }
  return { info: parsed.data, rules: rules as Record<string, unknown>, files }
}

function looksLikePrivateKey(bytes: Uint8Array): boolean {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    return typeof v === 'object' && v !== null && 'kty' in v && 'd' in v
  } catch {
    return false
  }
}

async function readJson(dir: string, name: string): Promise<unknown> {
  const path = join(dir, name)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new CliError(`${path} is missing. Is ${dir} a world project? "peercompute init <dir>" makes one.`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new CliError(`${path} is not valid JSON (${(err as Error).message}). Fix it, then build again.`)
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.endsWith('.pcb')) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(full)))
    else if (entry.isFile()) out.push(full)
  }
  return out.sort()
}
