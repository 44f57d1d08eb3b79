import { describe, expect, it } from 'vitest'
import { WorldDefinitionError, parseWorldDefinition } from '../../src/world/worldDefinition.js'
import type { WorldDefinition } from '../../src/world/worldDefinition.js'

const world: WorldDefinition = {
  terrain: { seed: 7, size: 128, resolution: 65, amplitude: 6 },
  spawn: [0, 2, 0],
  props: [
    { id: 'crate', shape: 'box', size: [1, 1, 1], position: [3, 1, 3], mass: 10, color: '#aa3300' },
    { id: 'ball', shape: 'sphere', size: [1, 1, 1], position: [-3, 1, 3], mass: 5, color: '#00FF88' },
  ],
  sky: { color: '#88ccff' },
  fog: { color: '#ffffff', density: 0.01 },
}

const prop = world.props[0]!
const portal = { id: 'to-moon', world: 'moon', position: [0, 0, 8] as [number, number, number], radius: 2 }

describe('parseWorldDefinition', () => {
  it('accepts a valid world unchanged', () => {
    expect(parseWorldDefinition(structuredClone(world))).toEqual(world)
  })

  it('accepts portals to other worlds', () => {
    expect(parseWorldDefinition({ ...world, portals: [portal] }).portals).toEqual([portal])
  })

  it('accepts 2,000 props and refuses 2,001', () => {
    const props = (n: number) => Array.from({ length: n }, (_, i) => ({ ...prop, id: `p${i}` }))
    expect(parseWorldDefinition({ ...world, props: props(2000) }).props).toHaveLength(2000)
    expect(() => parseWorldDefinition({ ...world, props: props(2001) })).toThrow(WorldDefinitionError)
  })

  it.each([
    ['terrain.resolution', { ...world, terrain: { ...world.terrain, resolution: 15 } }],
    ['terrain.resolution', { ...world, terrain: { ...world.terrain, resolution: 514 } }],
    ['terrain.resolution', { ...world, terrain: { ...world.terrain, resolution: 64.5 } }],
    ['terrain.size', { ...world, terrain: { ...world.terrain, size: 8 } }],
    ['terrain.size', { ...world, terrain: { ...world.terrain, size: 5000 } }],
    ['terrain.seed', { ...world, terrain: { ...world.terrain, seed: -1 } }],
    ['sky.color', { ...world, sky: { color: 'blue' } }],
    ['fog.color', { ...world, fog: { color: '#fff', density: 0.1 } }],
    ['props.0.color', { ...world, props: [{ ...prop, color: '#12345g' }] }],
    ['props.0.shape', { ...world, props: [{ ...prop, shape: 'cone' }] }],
    ['props.0.size.1', { ...world, props: [{ ...prop, size: [1, 0, 1] }] }],
    ['props.1.id', { ...world, props: [prop, prop] }],
    ['spawn', { ...world, spawn: [500, 0, 0] }],
    ['spawn.1', { ...world, spawn: [0, Number.NaN, 0] }],
    ['extra', { ...world, extra: true }],
    ['portals.0.world', { ...world, portals: [{ ...portal, world: '../moon' }] }],
    ['portals.0.radius', { ...world, portals: [{ ...portal, radius: 50 }] }],
    ['portals.1.id', { ...world, portals: [portal, portal] }],
    ['portals', { ...world, portals: Array.from({ length: 65 }, (_, i) => ({ ...portal, id: `p${i}` })) }],
  ])('refuses a bad %s', (field, input) => {
    expect(() => parseWorldDefinition(input)).toThrow(WorldDefinitionError)
    try {
      parseWorldDefinition(input)
    } catch (e) {
      expect((e as WorldDefinitionError).field).toBe(field)
      expect((e as Error).message).toContain(field)
    }
  })
})
