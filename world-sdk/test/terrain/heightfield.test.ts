import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SPAWN_FLAT_RADIUS, generateHeightfield, sampleHeight, terrainStep } from '../../src/terrain/heightfield.js'

const terrain = { seed: 20250611, size: 256, resolution: 129, amplitude: 8 }
const digest = (h: Float32Array) => createHash('sha256').update(new Uint8Array(h.buffer)).digest('hex')

describe('generateHeightfield', () => {
  it('is deterministic: the same bytes on every run', () => {
    const a = generateHeightfield(terrain)
    const b = generateHeightfield({ ...terrain })
    expect(a).toHaveLength(129 * 129)
    expect(digest(a)).toBe(digest(b))
  })

  it('gives the same bytes as when these tests were written (any machine, any engine)', () => {
    // Guards the noise against accidental changes: peers compare heights implicitly through physics.
    expect(digest(generateHeightfield({ seed: 1, size: 64, resolution: 17, amplitude: 4 }))).toMatchInlineSnapshot(`"32a81ee2c73ac846857d3aa4c9860ed4ea26398255bc712fb0092f5d3d1b3397"`)
  })

  it('differs between seeds', () => {
    expect(digest(generateHeightfield(terrain))).not.toBe(digest(generateHeightfield({ ...terrain, seed: terrain.seed + 1 })))
  })

  it('stays within the amplitude, has hills, and is flat around the spawn', () => {
    const h = generateHeightfield(terrain)
    let min = Infinity
    let max = -Infinity
    for (const v of h) {
      min = Math.min(min, v)
      max = Math.max(max, v)
    }
    expect(min).toBeGreaterThanOrEqual(-terrain.amplitude)
    expect(max).toBeLessThanOrEqual(terrain.amplitude)
    expect(max - min).toBeGreaterThan(terrain.amplitude / 2)
    // Inside the flat radius less one cell diagonal, every vertex around the point is flat.
    const r = SPAWN_FLAT_RADIUS - terrainStep(terrain) * Math.SQRT2
    for (let d = -r; d <= r; d += 0.5) {
      expect(sampleHeight(h, terrain, d, 0)).toBe(0)
      expect(sampleHeight(h, terrain, d * Math.SQRT1_2, -d * Math.SQRT1_2)).toBe(0)
    }
  })

  it('is flat everywhere with amplitude 0', () => {
    expect(generateHeightfield({ ...terrain, amplitude: 0 }).every((v) => v === 0)).toBe(true)
  })
})

describe('sampleHeight', () => {
  const h = generateHeightfield(terrain)
  const step = terrainStep(terrain)
  const vertex = (i: number, j: number) => h[j * terrain.resolution + i]!

  it('returns vertex heights at vertices', () => {
    expect(sampleHeight(h, terrain, -128 + 100 * step, -128 + 20 * step)).toBeCloseTo(vertex(100, 20), 6)
    expect(sampleHeight(h, terrain, 128, 128)).toBe(vertex(128, 128))
  })

  it('interpolates bilinearly between vertices', () => {
    const x = -128 + 100.25 * step
    const z = -128 + 20.5 * step
    const top = vertex(100, 20) * 0.75 + vertex(101, 20) * 0.25
    const bottom = vertex(100, 21) * 0.75 + vertex(101, 21) * 0.25
    expect(sampleHeight(h, terrain, x, z)).toBeCloseTo((top + bottom) / 2, 5)
  })

  it('clamps outside the terrain', () => {
    expect(sampleHeight(h, terrain, 10_000, -10_000)).toBe(vertex(128, 0))
  })

  it('refuses heights of the wrong length', () => {
    expect(() => sampleHeight(new Float32Array(10), terrain, 0, 0)).toThrow(RangeError)
  })
})
