import { Mesh } from '@babylonjs/core/Meshes/mesh.js'
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData.js'
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js'
import { Color3 } from '@babylonjs/core/Maths/math.color.js'
import type { Scene } from '@babylonjs/core/scene.js'
import type { WorldDefinition } from '@peercompute/world-sdk'

type Terrain = WorldDefinition['terrain']
type Rgb = readonly [number, number, number]

// Palette by height band (fraction of amplitude) and a rock tint for steep faces.
const SAND: Rgb = [0.76, 0.7, 0.5]
const GRASS_LOW: Rgb = [0.24, 0.46, 0.2]
const GRASS_HIGH: Rgb = [0.46, 0.52, 0.27]
const ROCK: Rgb = [0.45, 0.42, 0.4]
const SNOW: Rgb = [0.92, 0.94, 0.97]

/**
 * Vertex colour for a point of the terrain: sand low down, grass in the middle, snow near the top
 * (by height relative to the amplitude), blended towards rock as the slope steepens
 * (`upness` is the normal's y, 1 on flat ground).
 */
export function terrainColor(height: number, amplitude: number, upness: number): Rgb {
  const h = amplitude > 0 ? height / amplitude : 0
  let base: Rgb
  if (h < -0.25) base = SAND
  else if (h < -0.1) base = mix(SAND, GRASS_LOW, (h + 0.25) / 0.15)
  else if (h < 0.45) base = mix(GRASS_LOW, GRASS_HIGH, (h + 0.1) / 0.55)
  else if (h < 0.6) base = mix(GRASS_HIGH, ROCK, (h - 0.45) / 0.15)
  else if (h < 0.72) base = ROCK
  else base = mix(ROCK, SNOW, Math.min(1, (h - 0.72) / 0.1))
  const steep = Math.min(1, Math.max(0, (0.9 - upness) / 0.25))
  return mix(base, ROCK, steep)
}

/**
 * The visible terrain's geometry: world-sdk's heightfield laid out as the physics worker lays it
 * (square `size` centred on the origin, row-major z rows and x columns), with per-vertex colours.
 * Needs no engine, so it can be made while the GPU starts.
 */
export function terrainVertexData(terrain: Terrain, heights: Float32Array): VertexData {
  const n = terrain.resolution
  const step = terrain.size / (n - 1)
  const half = terrain.size / 2
  const positions = new Float32Array(n * n * 3)
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const i = row * n + col
      positions[i * 3] = -half + col * step
      positions[i * 3 + 1] = heights[i] ?? 0
      positions[i * 3 + 2] = -half + row * step
    }
  }
  const indices = new Uint32Array((n - 1) * (n - 1) * 6)
  let k = 0
  for (let row = 0; row < n - 1; row++) {
    for (let col = 0; col < n - 1; col++) {
      const a = row * n + col
      const c = a + n
      // Two triangles per cell (b, d, c) and (a, b, c), written in place: no array per cell.
      indices[k] = a + 1
      indices[k + 1] = c + 1
      indices[k + 2] = c
      indices[k + 3] = a
      indices[k + 4] = a + 1
      indices[k + 5] = c
      k += 6
    }
  }
  const normals = new Float32Array(positions.length)
  VertexData.ComputeNormals(positions, indices, normals)
  const colors = new Float32Array(n * n * 4)
  for (let i = 0; i < n * n; i++) {
    const [r, g, b] = terrainColor(heights[i] ?? 0, terrain.amplitude, normals[i * 3 + 1] ?? 1)
    const jitter = 0.92 + 0.16 * hashUnit(i)
    colors[i * 4] = r * jitter
    colors[i * 4 + 1] = g * jitter
    colors[i * 4 + 2] = b * jitter
    colors[i * 4 + 3] = 1
  }
  const data = new VertexData()
  data.positions = positions
  data.indices = indices
  data.normals = normals
  data.colors = colors
  return data
}

/** The terrain mesh from {@link terrainVertexData}, lit, receiving shadows, never picked. */
export function createTerrainMesh(scene: Scene, data: VertexData): Mesh {
  const mesh = new Mesh('terrain', scene)
  data.applyToMesh(mesh)
  const material = new StandardMaterial('terrain', scene)
  material.diffuseColor = Color3.White()
  material.specularColor = new Color3(0.04, 0.04, 0.04)
  mesh.material = material
  mesh.receiveShadows = true
  mesh.isPickable = false
  mesh.freezeWorldMatrix()
  return mesh
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const k = Math.min(1, Math.max(0, t))
  return [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k, a[2] + (b[2] - a[2]) * k]
}

/** A stable pseudo-random value in [0, 1) per vertex, to break up flat colour. */
function hashUnit(i: number): number {
  let h = Math.imul(i ^ 0x5bd1e995, 0x27d4eb2d)
  h ^= h >>> 15
  return (h >>> 0) / 4294967296
}
