import { describe, expect, it } from 'vitest'
import { generateHeightfield, sampleHeight } from '../../src/terrain/heightfield.js'
import { placeOnTerrain } from '../../src/world/placeOnTerrain.js'
import type { WorldDefinition } from '../../src/world/worldDefinition.js'

const world: WorldDefinition = {
  terrain: { seed: 11, size: 128, resolution: 65, amplitude: 9 },
  spawn: [0, 1.8, 0],
  props: [],
  portals: [{ id: 'to-moon', world: 'moon', position: [20, 0.5, -14], radius: 2 }],
  sky: { color: '#88ccff' },
  fog: { color: '#ffffff', density: 0.01 },
}

describe('placeOnTerrain', () => {
  it('stands each portal on the ground at its authored height', () => {
    const ground = sampleHeight(generateHeightfield(world.terrain), world.terrain, 20, -14)
    const [x, y, z] = placeOnTerrain(world).portals?.[0]?.position ?? [0, 0, 0]
    expect([x, z]).toEqual([20, -14])
    expect(y).toBeCloseTo(ground + 0.5, 2)
  })

  it('leaves a world without portals without the field', () => {
    const { portals: _portals, ...bare } = world
    expect('portals' in placeOnTerrain(bare)).toBe(false)
  })
})
