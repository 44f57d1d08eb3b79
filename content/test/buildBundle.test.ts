import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSigningKey, parseManifest, signManifest, verifyBundleFiles, verifyManifest } from '@peercompute/signing'
import { RulesError, TERRAIN_WGSL, WorldDefinitionError, generateHeightfield, parseBasisRules, parseWorldDefinition, sampleHeight } from '@peercompute/world-sdk'
import { afterAll, describe, expect, it } from 'vitest'
import { ContentBuildError, UNSIGNED_MANIFEST_FILE, buildBundle } from '../src/buildBundle.js'
import { contentBundlesDir, contentSourcesDir } from '../src/index.js'

const temp = await mkdtemp(join(tmpdir(), 'peercompute-content-'))
afterAll(() => rm(temp, { recursive: true, force: true }))
const source = join(contentSourcesDir(), 'overworld')

describe('buildBundle (overworld)', () => {
  const out = join(temp, 'overworld')
  const built = buildBundle(source, out)

  it('writes the files and an unsigned manifest that lists exactly them', async () => {
    const manifest = await built
    expect((await readdir(out)).sort()).toEqual(['compute', UNSIGNED_MANIFEST_FILE, 'rules.json', 'world.json'])
    expect(manifest.files.map((f) => f.path).filter((p) => p.startsWith('compute/')).sort()).toEqual(['compute/terrain.cpu', 'compute/terrain.wgsl'])
    expect(await readFile(join(out, 'compute', 'terrain.wgsl'), 'utf8')).toBe(TERRAIN_WGSL)
    const onDisk = parseManifest(JSON.parse(await readFile(join(out, UNSIGNED_MANIFEST_FILE), 'utf8')), { signed: false, advice: '' })
    expect(onDisk).toEqual(manifest)
    expect(manifest).toMatchObject({ id: 'overworld', name: 'Overworld', version: '1.0.0', publisher: '', parent: null, entry: 'world.json' })
    const files = new Map<string, Uint8Array>()
    for (const f of manifest.files) files.set(f.path, await readFile(join(out, f.path)))
    await verifyBundleFiles(manifest, files)
  })

  it('writes a final world.json: the spawn and every prop rest on the terrain', async () => {
    await built
    const world = parseWorldDefinition(JSON.parse(await readFile(join(out, 'world.json'), 'utf8')))
    const heights = generateHeightfield(world.terrain)
    expect(world.props.length).toBeGreaterThanOrEqual(15)
    expect(world.spawn[1]).toBeGreaterThan(sampleHeight(heights, world.terrain, world.spawn[0], world.spawn[2]))
    for (const prop of world.props) {
      const [x, y, z] = prop.position
      const half = prop.shape === 'sphere' ? prop.size[0] / 2 : prop.size[1] / 2
      const ground = sampleHeight(heights, world.terrain, x, z)
      expect(y - half, prop.id).toBeGreaterThanOrEqual(ground)
      expect(y - half - ground, prop.id).toBeLessThan(2)
    }
  })

  it('keeps the partial rules in the manifest, valid for world-sdk', async () => {
    const manifest = await built
    expect(parseBasisRules(manifest.rules).physics.gravity).toBe(-9.81)
    expect(JSON.parse(await readFile(join(out, 'rules.json'), 'utf8'))).toEqual(manifest.rules)
  })

  it('can be completed and signed by a root, then verified', async () => {
    const root = await generateSigningKey()
    const signed = await signManifest({ ...(await built), publisher: root.thumbprint }, root, 'root')
    expect((await verifyManifest(signed, { rootKey: root.publicJwk })).id).toBe('overworld')
  })
})

describe('buildBundle refuses bad sources', () => {
  async function copyWith(name: string, file: string, text: string): Promise<string> {
    const dir = join(temp, name)
    await cp(source, dir, { recursive: true })
    await writeFile(join(dir, file), text)
    return dir
  }

  it('a folder that has its own compute/terrain.wgsl (the build writes that path)', async () => {
    const dir = await copyWith('own-shader', 'world.json', await readFile(join(source, 'world.json'), 'utf8'))
    await mkdir(join(dir, 'compute'))
    await writeFile(join(dir, 'compute', 'terrain.wgsl'), '@compute @workgroup_size(1) fn main() {}')
    await expect(buildBundle(dir, join(temp, 'own-shader-out'))).rejects.toThrow(/reserved/)
  })

  it.each([
    ['bad-rules', 'rules.json', '{"physics":{"gravity":"down"}}', RulesError],
    ['bad-world', 'world.json', '{"terrain":{}}', WorldDefinitionError],
    ['bad-json', 'world.json', '{', ContentBuildError],
    ['bad-info', 'bundle.json', '{"id":"overworld"}', ContentBuildError],
  ])('%s', async (name, file, text, error) => {
    const dir = await copyWith(name, file, text)
    await expect(buildBundle(dir, join(temp, `${name}-out`))).rejects.toThrow(error)
  })
})

describe('contentBundlesDir', () => {
  it('is content/dist/bundles', () => {
    expect(contentBundlesDir()).toBe(join(contentSourcesDir(), 'dist', 'bundles'))
  })
})
