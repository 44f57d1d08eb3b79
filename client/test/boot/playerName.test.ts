import { describe, expect, it } from 'vitest'
import { PlayerNameError, parsePlayerName, playerNameProblem } from '../../src/boot/playerName.js'
import { parseUrlOptions } from '../../src/boot/urlOptions.js'

describe('player names', () => {
  it('accepts and trims ordinary names, including non-Latin letters', () => {
    expect(parsePlayerName('  Ada  ')).toBe('Ada')
    expect(parsePlayerName('zoë_42')).toBe('zoë_42')
    expect(parsePlayerName('Łukasz K.')).toBe('Łukasz K.')
    expect(parsePlayerName('ユキ')).toBe('ユキ')
  })

  it('refuses empty, too long, markup and names starting with punctuation, saying what to change', () => {
    expect(playerNameProblem('   ')).toMatch(/at least one/)
    expect(playerNameProblem('x'.repeat(25))).toMatch(/24 characters/)
    expect(playerNameProblem('<b>hi</b>')).toMatch(/letters, digits/)
    expect(playerNameProblem('-dash')).toMatch(/starting with a letter/)
    expect(() => parsePlayerName('')).toThrow(PlayerNameError)
  })

  it('counts characters, not UTF-16 units', () => {
    expect(playerNameProblem('𝒜'.repeat(24))).toBeNull() // 48 UTF-16 units, 24 letters
    expect(playerNameProblem('𝒜'.repeat(25))).toMatch(/24 characters/)
  })
})

describe('parseUrlOptions', () => {
  it('reads ?name= and ?renderer=', () => {
    expect(parseUrlOptions('?name=Ada&renderer=webgl2')).toEqual({ name: 'Ada', renderer: 'webgl2' })
    expect(parseUrlOptions('')).toEqual({ name: null, renderer: 'auto' })
    expect(parseUrlOptions('?renderer=vulkan')).toEqual({ name: null, renderer: 'auto' })
  })
})
