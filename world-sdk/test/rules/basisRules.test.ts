import { describe, expect, it } from 'vitest'
import { DEFAULT_BASIS_RULES, RulesError, parseBasisRules, parseRulesDeclaration } from '../../src/rules/basisRules.js'

describe('parseBasisRules', () => {
  it('gives the defaults for nothing or an empty object', () => {
    expect(parseBasisRules(undefined)).toEqual(DEFAULT_BASIS_RULES)
    expect(parseBasisRules({})).toEqual(DEFAULT_BASIS_RULES)
    expect(DEFAULT_BASIS_RULES.physics).toEqual({ gravity: -9.81, timeStep: 1 / 60 })
    expect(DEFAULT_BASIS_RULES.chat.maxLength).toBe(280)
  })

  it('fills a deep partial with defaults', () => {
    const rules = parseBasisRules({ physics: { gravity: -3.7 }, movement: { fly: true } })
    expect(rules.physics).toEqual({ gravity: -3.7, timeStep: 1 / 60 })
    expect(rules.movement).toEqual({ ...DEFAULT_BASIS_RULES.movement, fly: true })
    expect(rules.limits).toEqual(DEFAULT_BASIS_RULES.limits)
  })

  it('does not share objects with the defaults', () => {
    const rules = parseBasisRules({})
    rules.physics.gravity = 1
    expect(DEFAULT_BASIS_RULES.physics.gravity).toBe(-9.81)
  })

  it.each([
    [{ physics: { gravity: 500 } }, 'physics.gravity', '500'],
    [{ chat: { maxLength: 2.5 } }, 'chat.maxLength', '2.5'],
    [{ movement: { fly: 'yes' } }, 'movement.fly', '"yes"'],
    [{ physiks: {} }, 'physiks', '{}'],
    [{ limits: { players: 10, guests: 3 } }, 'limits.guests', '3'],
    [{ avatars: { minScale: 3 } }, 'avatars.minScale', '3'],
  ])('refuses %j naming the field and value', (input, field, value) => {
    const err = (() => {
      try {
        parseBasisRules(input)
      } catch (e) {
        return e
      }
      return null
    })()
    expect(err).toBeInstanceOf(RulesError)
    expect(err).toMatchObject({ name: 'RulesError', field, value })
    expect((err as Error).message).toContain(`${field} = ${value}`)
  })

  it('refuses rules that are not an object', () => {
    expect(() => parseBasisRules('fast')).toThrow(RulesError)
    expect(() => parseBasisRules(null)).toThrow(RulesError)
  })
})

describe('the full rule schema', () => {
  it('has building, limits for scripts and permissions, with defaults', () => {
    const rules = parseBasisRules({})
    expect(rules.building).toEqual({ place: 'everyone', remove: 'everyone' })
    expect(rules.limits).toEqual({ players: 64, entities: 10_000, scriptCpuMs: 4, scriptMemoryMiB: 16 })
    expect(rules.permissions).toEqual({ join: 'everyone', subworlds: true, scripts: true })
  })

  it("has a network section whose default topology 'node' leaves it to each node", () => {
    expect(parseBasisRules({}).network).toEqual({ topology: 'node', maxMeshPeers: 32 })
    expect(parseBasisRules({ network: { topology: 'distributed' } }).network).toEqual({ topology: 'distributed', maxMeshPeers: 32 })
    expect(parseBasisRules({ network: { topology: 'emergent', maxMeshPeers: 8 } }).network).toEqual({ topology: 'emergent', maxMeshPeers: 8 })
  })

  it('takes a declaration with descendants and leaves it out of the rules', () => {
    const rules = parseBasisRules({ limits: { players: 8 }, descendants: { lock: ['physics'], bounds: { 'limits.players': { max: 'own' } } } })
    expect(rules.limits.players).toBe(8)
    expect(rules).not.toHaveProperty('descendants')
  })

  it.each([
    [{ building: { place: 'admins' } }, 'building.place'],
    [{ limits: { scriptCpuMs: 0 } }, 'limits.scriptCpuMs'],
    [{ network: { topology: 'star' } }, 'network.topology'],
    [{ network: { maxMeshPeers: 0 } }, 'network.maxMeshPeers'],
    [{ network: { maxMeshPeers: 2.5 } }, 'network.maxMeshPeers'],
    [{ network: { maxMeshPeers: 257 } }, 'network.maxMeshPeers'],
    [{ network: { relay: true } }, 'network.relay'],
    [{ descendants: { lock: ['physics.gravitee'] } }, 'descendants.lock.0'],
    [{ descendants: { bounds: { 'movement.fly': { max: 1 } } } }, 'descendants.bounds.movement.fly'],
    [{ descendants: { bounds: { 'limits.players': { most: 3 } } } }, 'descendants.bounds.limits.players.most'],
  ])('refuses %j naming %s', (input, field) => {
    expect(() => parseRulesDeclaration(input)).toThrow(RulesError)
    try {
      parseBasisRules(input)
    } catch (err) {
      expect((err as RulesError).field).toBe(field)
    }
  })
})
