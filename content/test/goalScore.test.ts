import { readFile } from 'node:fs/promises'
import { sha256Hex } from '@peercompute/signing'
import { effectiveRules } from '@peercompute/world-sdk'
import type { ScriptEntity, ScriptIntent } from '@peercompute/world-sdk'
// The built kernel (`npx tsc -b kernel`): the script host a world's host runs, with its scripts worker.
import { scriptHost } from '@peercompute/kernel/scripts'
import type { ScriptHost, WorldScriptSource } from '@peercompute/kernel/scripts'
import { nodePlatform } from '@peercompute/kernel/node'
import { afterEach, describe, expect, it } from 'vitest'

const GOAL = new URL('../worlds/goal/', import.meta.url)
const Ada = { id: 'peer-a', name: 'Ada', position: [0, 0, 11] as [number, number, number] }
const ball = (position: [number, number, number]): ScriptEntity => ({ id: 'ball', kind: 'prop', position, rotation: [0, 0, 0, 1], data: {} })

let running: ScriptHost | null = null
afterEach(() => { running?.stop(); running = null })

/** The goal world's script as a host loads it, with the entities its world's document already holds. */
async function goalScript(entities?: ScriptEntity[]): Promise<WorldScriptSource> {
  const source = await readFile(new URL('main.js', GOAL))
  const rules = effectiveRules([{ world: 'overworld' }, { world: 'goal', rules: JSON.parse(await readFile(new URL('rules.json', GOAL), 'utf8')) }]).rules
  return { world: 'goal', source, sha256: await sha256Hex(source), rules, ...(entities === undefined ? {} : { entities }) }
}

/** Loads the script in a real scripts worker; returns the intents it made, and a way to tick it with the ball at a place. */
async function host(script: WorldScriptSource): Promise<{ intents: ScriptIntent[]; tickWithBallAt(position: [number, number, number]): Promise<void> }> {
  const intents: ScriptIntent[] = []
  let ballAt: [number, number, number] = [0, 0.5, 0]
  const scripts = scriptHost({ autoTick: false })({
    spawnWorker: () => nodePlatform().spawnWorker('scripts'),
    view: () => ({ players: [Ada], entities: [ball(ballAt)] }),
    onIntents: (_world, list) => { intents.push(...list) }
  })
  running = scripts
  scripts.start()
  await scripts.load(script)
  return { intents, tickWithBallAt: async (position) => { ballAt = position; await scripts.tick('goal') } }
}

describe('the goal script on a host that took over the match', () => {
  it('a fresh match starts at 0 goals', async () => {
    const { intents } = await host(await goalScript())
    expect(intents).toEqual([expect.objectContaining({ type: 'spawn', entity: expect.objectContaining({ id: 'scoreboard', data: { text: 'Goals: 0', goals: 0, last: null } }) })])
  })

  it('keeps the score the world\'s scoreboard holds, and counts the next goal on from it', async () => {
    const board: ScriptEntity = { id: 'scoreboard', kind: 'restored', position: [0, 4, 12], rotation: [0, 0, 0, 1], data: { text: 'Goals: 3 (last: Bo)', goals: 3, last: 'Bo' } }
    const { intents, tickWithBallAt } = await host(await goalScript([board]))
    // Its setup spawns the board again (in place, as the kernel applies it) with the score it found.
    expect(intents).toEqual([expect.objectContaining({ type: 'spawn', entity: expect.objectContaining({ id: 'scoreboard', kind: 'text', data: { text: 'Goals: 3 (last: Bo)', goals: 3, last: 'Bo' } }) })])
    await tickWithBallAt([2, 0.5, 4])
    await tickWithBallAt([0.5, 0.5, 12.6])
    expect(intents.find((i) => i.type === 'update')).toEqual({ type: 'update', id: 'scoreboard', data: { text: 'Goals: 4 (last: Ada)', goals: 4, last: 'Ada' } })
  })

  it('starts at 0 when the board it finds holds no usable score', async () => {
    const board: ScriptEntity = { id: 'scoreboard', kind: 'restored', position: [0, 4, 12], rotation: [0, 0, 0, 1], data: { goals: -2, last: 7 } }
    const { intents } = await host(await goalScript([board]))
    expect(intents[0]).toMatchObject({ type: 'spawn', entity: { data: { goals: 0, last: null } } })
  })
})
