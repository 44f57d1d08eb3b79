import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { effectiveRules } from '@peercompute/world-sdk'
import type { ScriptEntity } from '@peercompute/world-sdk'
import { ScriptSandbox } from '../../../src/nodeKernel/scripts/ScriptSandbox.js'
import { loadQuickJS } from '../../../src/nodeKernel/scripts/scriptWorker.js'

// The example game world of content/worlds/goal, run as a host runs it.
const GOAL = new URL('../../../../content/worlds/goal/', import.meta.url)

const ball = (position: [number, number, number]): ScriptEntity => ({ id: 'ball', kind: 'prop', position, rotation: [0, 0, 0, 1], data: {} })
const players = [{ id: 'peer-a', name: 'Ada', position: [0, 0, 11] as [number, number, number] }, { id: 'peer-b', name: 'Bo', position: [5, 0, -5] as [number, number, number] }]

describe('the goal example script', () => {
  it('counts a goal on the scoreboard every player sees, names the scorer and puts the ball back', async () => {
    const rules = effectiveRules([
      { world: 'overworld' },
      { world: 'goal', rules: JSON.parse(await readFile(new URL('rules.json', GOAL), 'utf8')) }
    ]).rules
    const source = await readFile(new URL('main.js', GOAL), 'utf8')
    const limits = { cpuMs: rules.limits.scriptCpuMs, setupCpuMs: 100, memoryBytes: rules.limits.scriptMemoryMiB * 2 ** 20, stackBytes: 256 * 1024, maxOutputChars: 65536 }
    const { sandbox, setup } = ScriptSandbox.create(await loadQuickJS(), { world: 'goal', source, rules, limits })
    expect(setup.intents).toEqual([expect.objectContaining({ type: 'spawn', entity: expect.objectContaining({ id: 'scoreboard', kind: 'text', data: { text: 'Goals: 0', goals: 0, last: null } }) })])

    // The first tick sees the ball where it lies (for a host that took over, anywhere on the pitch);
    // the script serves it on the centre spot from 1 m above that height.
    expect(sandbox.call('tick', { dt: 1 / 60, players, entities: [ball([2, 0.5, 4])] }).intents).toEqual([])
    expect(sandbox.call('tick', { dt: 1 / 60, players, entities: [ball([3, 0.5, 13])] }).intents).toEqual([])
    const goal = sandbox.call('tick', { dt: 1 / 60, players, entities: [ball([0.5, 0.5, 12.6])] }).intents
    expect(goal).toEqual([
      { type: 'update', id: 'scoreboard', data: { text: 'Goals: 1 (last: Ada)', goals: 1, last: 'Ada' } },
      { type: 'move', id: 'ball', position: [0, 1.5, 0], rotation: [0, 0, 0, 1] },
      { type: 'emit', name: 'goal', data: { goals: 1, scorer: 'Ada' } }
    ])
    // Within the cooldown the ball still sitting in the net does not count again.
    expect(sandbox.call('tick', { dt: 0.1, players, entities: [ball([0.5, 0.5, 12.6])] }).intents).toEqual([])
    expect(sandbox.call('playerJoin', { value: players[1] }).intents[0]).toMatchObject({ type: 'emit', name: 'welcome', data: { to: 'peer-b' } })
    expect(sandbox.call('onEvent', { value: { name: 'reset', from: 'peer-b', data: null } }).intents).toEqual([])
    expect(sandbox.call('onEvent', { value: { name: 'reset', data: null } }).intents[0]).toMatchObject({ type: 'update', data: { goals: 0 } })
    sandbox.dispose()
  })
})
