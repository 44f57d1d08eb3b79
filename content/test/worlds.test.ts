import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { decodeBundleFile, verifyBundleFiles } from '@peercompute/signing'
import type { BundleManifest } from '@peercompute/signing'
import { RuleViolationError, checkRulesAgainstParent, effectiveRules, parseWorldDefinition } from '@peercompute/world-sdk'
import type { WorldRulesDeclaration } from '@peercompute/world-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const CLI = fileURLToPath(new URL('../../world-sdk/bin/peercompute.js', import.meta.url))
const WORLDS = fileURLToPath(new URL('../worlds/', import.meta.url))
const OVERWORLD_RULES = fileURLToPath(new URL('../overworld/rules.json', import.meta.url))
const EXAMPLES = ['meadow', 'moon', 'goal', 'goal-annex'] as const

const temp = await mkdtemp(join(tmpdir(), 'peercompute-worlds-'))
afterAll(() => rm(temp, { recursive: true, force: true }))

const built = new Map<string, { manifest: BundleManifest; files: Map<string, Uint8Array> }>()
let overworld: WorldRulesDeclaration

beforeAll(async () => {
  overworld = { world: 'overworld', rules: JSON.parse(await readFile(OVERWORLD_RULES, 'utf8')) }
  for (const id of EXAMPLES) {
    const out = join(temp, `${id}.pcb`)
    await run(process.execPath, [CLI, 'build', join(WORLDS, id), '--out', out])
    const { header, files } = decodeBundleFile(await readFile(out))
    built.set(id, { manifest: header.manifest!, files })
  }
})

const link = (id: string): WorldRulesDeclaration => ({ world: id, rules: built.get(id)!.manifest.rules })
/** Height of a jump from standing: v² / 2g. */
const jumpHeight = (rules: { physics: { gravity: number }; movement: { jumpSpeed: number } }): number =>
  rules.movement.jumpSpeed ** 2 / (2 * -rules.physics.gravity)

describe('example worlds (content/worlds), built by `peercompute build`', () => {
  it('each builds into a bundle with a world, rules and a script, every hash listed', async () => {
    for (const id of EXAMPLES) {
      const { manifest, files } = built.get(id)!
      expect(manifest.id).toBe(id)
      expect(manifest.files.map((f) => f.path)).toEqual(['main.js', 'rules.json', 'world.json'])
      await verifyBundleFiles(manifest, files)
      parseWorldDefinition(JSON.parse(new TextDecoder().decode(files.get('world.json'))))
    }
  })

  it('moon: low gravity under the overworld, so avatars jump higher', () => {
    expect(built.get('moon')!.manifest.parent).toBe('overworld')
    const earth = effectiveRules([overworld]).rules
    const moon = effectiveRules([overworld, link('moon')]).rules
    expect(moon.physics.gravity).toBe(-1.62)
    expect(jumpHeight(moon)).toBeGreaterThan(3 * jumpHeight(earth))
  })

  it('moon locks its gravity for every world below it', () => {
    const moon = effectiveRules([overworld, link('moon')])
    expect(() => checkRulesAgainstParent(moon, { world: 'crater', rules: { physics: { gravity: -9.81 } } })).toThrow(RuleViolationError)
    expect(checkRulesAgainstParent(moon, { world: 'crater', rules: { movement: { fly: true } } }).rules.physics.gravity).toBe(-1.62)
  })

  it('goal-annex nests inside goal: three levels, inheriting the locked physics and bounded players', () => {
    expect(built.get('goal-annex')!.manifest.parent).toBe('goal')
    const annex = effectiveRules([overworld, link('goal'), link('goal-annex')])
    expect(annex.chain).toEqual(['overworld', 'goal', 'goal-annex'])
    expect(annex.rules.limits.players).toBe(8)
    expect(annex.rules.movement.fly).toBe(true)
    expect(annex.locks['physics.gravity']).toEqual({ value: -9.81, by: 'goal' })
    const goal = effectiveRules([overworld, link('goal')])
    const crowded = { world: 'goal-annex', rules: { ...built.get('goal-annex')!.manifest.rules, limits: { players: 40 } } }
    expect(() => checkRulesAgainstParent(goal, crowded)).toThrow("rules.limits.players must be at most 16 below 'goal'; 'goal-annex' sets 40")
  })
})
