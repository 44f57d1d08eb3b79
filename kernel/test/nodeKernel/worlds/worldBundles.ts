import { readFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildManifest, encodeBundleFile, signBundle } from '@peercompute/signing'
import { TERRAIN_COMPUTE_FILES, parseWorldDefinition, placeOnTerrain } from '@peercompute/world-sdk'
import type { SigningKey } from '@peercompute/signing'

const WORLDS_DIR = fileURLToPath(new URL('../../../../content/worlds/', import.meta.url))
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

/** A world as a test publishes it: what a world project holds. */
export interface WorldSpec {
  id: string
  version?: string
  parent: string | null
  rules: Record<string, unknown>
  world?: unknown
  script?: string
}

/** A small flat world.json. */
export const FLAT_WORLD = {
  terrain: { seed: 5, size: 48, resolution: 17, amplitude: 0 },
  spawn: [0, 1.8, 0],
  props: [],
  sky: { color: '#223344' },
  fog: { color: '#ffffff', density: 0.001 }
}

/** Reads an example world project from content/worlds. */
export async function contentWorld(id: string): Promise<WorldSpec> {
  const dir = join(WORLDS_DIR, id)
  const info = JSON.parse(await readFile(join(dir, 'bundle.json'), 'utf8')) as { id: string; version: string; parent?: string }
  return {
    id: info.id,
    version: info.version,
    parent: info.parent ?? 'overworld',
    rules: JSON.parse(await readFile(join(dir, 'rules.json'), 'utf8')) as Record<string, unknown>,
    world: JSON.parse(await readFile(join(dir, 'world.json'), 'utf8')),
    script: await readFile(join(dir, 'main.js'), 'utf8')
  }
}

/** Builds and signs a bundle file (`.pcb`) as `peercompute build` + `sign` would. */
export async function signedWorldBundle(spec: WorldSpec, key: SigningKey): Promise<Uint8Array> {
  const world = placeOnTerrain(parseWorldDefinition(spec.world ?? FLAT_WORLD))
  const files = [
    { path: 'world.json', bytes: enc(JSON.stringify(world)) },
    ...(spec.script == null ? [] : [{ path: 'main.js', bytes: enc(spec.script) }]),
    // What content's build adds to every bundle: the terrain's compute code.
    ...TERRAIN_COMPUTE_FILES.map((f) => ({ path: f.path, bytes: enc(f.text) }))
  ].sort((a, b) => a.path.localeCompare(b.path))
  const manifest = await buildManifest({
    id: spec.id, name: spec.id, version: spec.version ?? '1.0.0', parent: spec.parent, entry: 'world.json', rules: spec.rules, publisher: '', files
  })
  return signBundle(encodeBundleFile({ manifest }, files), key)
}

/** Publishes a signed bundle to the root (`POST /api/worlds`, certificate not checked); throws with the root's answer on refusal. */
export async function publish(root: string, bytes: Uint8Array): Promise<void> {
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(new URL('api/worlds', root), { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/vnd.peercompute.bundle', 'content-length': String(bytes.byteLength) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(bytes)
  })
  if (status !== 201) throw new Error(`publish refused (${status}): ${body}`)
}
