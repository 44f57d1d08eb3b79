import { describe, expect, it } from 'vitest'
import { DEFAULT_BASIS_RULES, RulesError, parseBasisRules } from '../../src/rules/basisRules.js'

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
