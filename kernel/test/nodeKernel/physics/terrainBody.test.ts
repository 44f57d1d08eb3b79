import { describe, expect, it } from 'vitest'
import { generateHeightfield, sampleHeight } from '@peercompute/world-sdk'
import { CreateGroundVertexData } from '@babylonjs/core/Meshes/Builders/groundBuilder.js'
import { terrainIndices, terrainPositions } from '../../../src/nodeKernel/physics/terrainBody.js'

describe('terrain mesh', () => {
  const terrain = { seed: 3, size: 40, resolution: 5, amplitude: 4 }
  const heights = generateHeightfield(terrain)

  it('puts each height at world-sdk\'s (x, z) for it, centred on the origin', () => {
    const positions = terrainPositions(terrain, heights)
    for (let v = 0; v < heights.length; v++) {
      const [x, y, z] = [positions[v * 3] ?? NaN, positions[v * 3 + 1] ?? NaN, positions[v * 3 + 2] ?? NaN]
      expect(y).toBeCloseTo(sampleHeight(heights, terrain, x, z), 5)
    }
    expect(positions[0]).toBe(-20)
    expect(positions[2]).toBe(-20)
    expect(positions.at(-3)).toBe(20)
    expect(positions.at(-1)).toBe(20)
  })

  it('winds every triangle the way Babylon winds its own ground, so faces point up', () => {
    /** Sign of the y component of (b - a) x (c - a) for triangle t of a mesh. */
    const windings = (positions: ArrayLike<number>, indices: ArrayLike<number>): number[] => {
      const at = (i: number): [number, number] => [positions[i * 3] ?? 0, positions[i * 3 + 2] ?? 0]
      const out: number[] = []
      for (let t = 0; t < indices.length; t += 3) {
        const [ax, az] = at(indices[t] ?? 0)
        const [bx, bz] = at(indices[t + 1] ?? 0)
        const [cx, cz] = at(indices[t + 2] ?? 0)
        out.push(Math.sign((bz - az) * (cx - ax) - (bx - ax) * (cz - az)))
      }
      return out
    }
    const babylon = CreateGroundVertexData({ width: 40, height: 40, subdivisions: 4 })
    const reference = windings(babylon.positions ?? [], babylon.indices ?? [])
    const ours = windings(terrainPositions(terrain, new Float32Array(25)), terrainIndices(5))
    expect(ours).toHaveLength(4 * 4 * 2)
    expect(new Set([...reference, ...ours])).toEqual(new Set([reference[0]]))
  })
})
