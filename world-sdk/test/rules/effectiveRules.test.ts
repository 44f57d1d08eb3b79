import { describe, expect, it } from 'vitest'
import { DEFAULT_BASIS_RULES, RulesError } from '../../src/rules/basisRules.js'
import {
  ROOT_EFFECTIVE_RULES,
  RuleViolationError,
  checkRulesAgainstParent,
  effectiveRules,
} from '../../src/rules/effectiveRules.js'
import type { WorldRulesDeclaration } from '../../src/rules/effectiveRules.js'

const overworld: WorldRulesDeclaration = { world: 'overworld', rules: { physics: { gravity: -9.81 } } }

function violation(fn: () => unknown): RuleViolationError {
  try {
    fn()
  } catch (err) {
    if (err instanceof RuleViolationError) return err
    throw err
  }
  throw new Error('expected a RuleViolationError')
}

describe('effectiveRules', () => {
  it('folds from the root down: each world inherits what it does not set', () => {
    const eff = effectiveRules([
      overworld,
      { world: 'moon', rules: { physics: { gravity: -1.62 }, movement: { jumpSpeed: 8 } } },
      { world: 'crater', rules: { movement: { fly: true } } },
    ])
    expect(eff.chain).toEqual(['overworld', 'moon', 'crater'])
    expect(eff.rules.physics.gravity).toBe(-1.62)
    expect(eff.rules.movement).toEqual({ ...DEFAULT_BASIS_RULES.movement, jumpSpeed: 8, fly: true })
    expect(eff.rules.chat).toEqual(DEFAULT_BASIS_RULES.chat)
  })

  it('gives the defaults for an empty chain and never changes them', () => {
    expect(effectiveRules([])).toBe(ROOT_EFFECTIVE_RULES)
    const eff = effectiveRules([{ world: 'overworld', rules: { physics: { gravity: -3 } } }])
    eff.rules.physics.gravity = 7
    expect(DEFAULT_BASIS_RULES.physics.gravity).toBe(-9.81)
  })

  it('refuses a child that overrides a locked rule, naming the rule, the worlds and both values', () => {
    const locked = { world: 'overworld', rules: { descendants: { lock: ['physics.gravity'] } } }
    const err = violation(() => effectiveRules([locked, { world: 'moon', rules: { physics: { gravity: -1.62 } } }]))
    expect(err).toMatchObject({ name: 'RuleViolationError', rule: 'rules.physics.gravity', world: 'moon', value: -1.62, by: 'overworld', limit: -9.81 })
    expect(err.message).toContain("rules.physics.gravity is locked by 'overworld' at -9.81; 'moon' sets -1.62")
  })

  it('locks a whole section for every descendant, at any depth, and lets them repeat the value', () => {
    const chain = [
      { world: 'overworld', rules: { chat: { maxLength: 100 }, descendants: { lock: ['chat'] } } },
      { world: 'town', rules: { chat: { maxLength: 100 } } },
      { world: 'house', rules: {} },
    ]
    expect(effectiveRules(chain).rules.chat.maxLength).toBe(100)
    const err = violation(() => effectiveRules([...chain, { world: 'attic', rules: { chat: { enabled: false } } }]))
    expect(err.rule).toBe('rules.chat.enabled')
    expect(err.by).toBe('overworld')
    expect(err.message).toContain("'attic' sets false")
  })

  it("bounds a child's player limit by its parent's own ('own')", () => {
    const goal = { world: 'goal', rules: { limits: { players: 16 }, descendants: { bounds: { 'limits.players': { max: 'own' } } } } }
    expect(effectiveRules([overworld, goal, { world: 'annex', rules: { limits: { players: 8 } } }]).rules.limits.players).toBe(8)
    const err = violation(() => effectiveRules([overworld, goal, { world: 'annex', rules: { limits: { players: 32 } } }]))
    expect(err).toMatchObject({ rule: 'rules.limits.players', value: 32, limit: 16, by: 'goal' })
    expect(err.message).toContain("at most 16 below 'goal'; 'annex' sets 32")
  })

  it('keeps the tightest of several bounds and checks minimums too', () => {
    const chain = [
      { world: 'overworld', rules: { descendants: { bounds: { 'movement.jumpSpeed': { min: 2, max: 20 } } } } },
      { world: 'moon', rules: { movement: { jumpSpeed: 10 }, descendants: { bounds: { 'movement.jumpSpeed': { max: 12, min: 1 } } } } },
    ]
    const eff = effectiveRules(chain)
    expect(eff.bounds['movement.jumpSpeed']).toEqual({ min: { value: 2, by: 'overworld' }, max: { value: 12, by: 'moon' } })
    expect(violation(() => checkRulesAgainstParent(eff, { world: 'pit', rules: { movement: { jumpSpeed: 1 } } })).limit).toBe(2)
    expect(violation(() => checkRulesAgainstParent(eff, { world: 'sky', rules: { movement: { jumpSpeed: 15 } } })).by).toBe('moon')
  })

  it('moves an inherited value inside a bound the parent set below its own value', () => {
    const parent = effectiveRules([{ world: 'overworld', rules: { descendants: { bounds: { 'limits.players': { max: 10 } } } } }])
    expect(parent.rules.limits.players).toBe(64)
    expect(checkRulesAgainstParent(parent, { world: 'child', rules: {} }).rules.limits.players).toBe(10)
  })

  it('folds the network rules like any other: inherited, locked by a parent, bounded', () => {
    const mesh = { world: 'arena', rules: { network: { topology: 'distributed' }, descendants: { lock: ['network'], bounds: { 'network.maxMeshPeers': { max: 'own' } } } } }
    expect(effectiveRules([overworld]).rules.network).toEqual({ topology: 'node', maxMeshPeers: 32 })
    const arena = effectiveRules([overworld, mesh])
    expect(checkRulesAgainstParent(arena, { world: 'pit', rules: {} }).rules.network).toEqual({ topology: 'distributed', maxMeshPeers: 32 })
    expect(arena.locks['network.topology']).toEqual({ value: 'distributed', by: 'arena' })
    const err = violation(() => checkRulesAgainstParent(arena, { world: 'lan', rules: { network: { topology: 'emergent' } } }))
    expect(err).toMatchObject({ rule: 'rules.network.topology', world: 'lan', value: 'emergent', by: 'arena', limit: 'distributed' })
    expect(err.message).toContain("rules.network.topology is locked by 'arena' at 'distributed'; 'lan' sets 'emergent'")
    expect(violation(() => checkRulesAgainstParent(arena, { world: 'big', rules: { network: { maxMeshPeers: 64 } } })).rule).toBe('rules.network.maxMeshPeers')

    const bounded = effectiveRules([overworld, { world: 'town', rules: { descendants: { bounds: { 'network.maxMeshPeers': { max: 8 } } } } }])
    expect(checkRulesAgainstParent(bounded, { world: 'house', rules: { network: { topology: 'distributed' } } }).rules.network).toEqual({ topology: 'distributed', maxMeshPeers: 8 })
    expect(violation(() => checkRulesAgainstParent(bounded, { world: 'hall', rules: { network: { maxMeshPeers: 16 } } })).limit).toBe(8)
  })

  it('refuses any child of a world that allows no subworlds', () => {
    const parent = effectiveRules([{ world: 'overworld', rules: { permissions: { subworlds: false } } }])
    const err = violation(() => checkRulesAgainstParent(parent, { world: 'moon' }))
    expect(err.rule).toBe('rules.permissions.subworlds')
    expect(err.message).toContain("false in 'overworld'")
  })

  it('refuses bounds that leave no value, a cycle, and rules that do not parse', () => {
    const parent = effectiveRules([{ world: 'overworld', rules: { descendants: { bounds: { 'limits.players': { max: 10 } } } } }])
    expect(() => checkRulesAgainstParent(parent, { world: 'x', rules: { limits: { players: 5 }, descendants: { bounds: { 'limits.players': { min: 20 } } } } }))
      .toThrow(RulesError)
    expect(() => checkRulesAgainstParent(parent, { world: 'overworld' })).toThrow(/its own ancestor/)
    expect(() => checkRulesAgainstParent(parent, { world: 'x', rules: { physics: { gravity: 'low' } } })).toThrow(RulesError)
    expect(() => checkRulesAgainstParent(parent, { world: 'x', rules: { avatars: { minScale: 5 } } })).toThrow(/minScale/)
  })
})
