import type { WorldDefinition } from '../world/worldDefinition.js'

/** The terrain part of a world definition. */
export type TerrainDefinition = WorldDefinition['terrain']

/** Metres per noise cell in the first (coarsest) octave. */
export const NOISE_BASE_PERIOD = 64
/** Octaves of value noise summed into the fractal. */
export const NOISE_OCTAVES = 5
/** Around the origin (spawn) the terrain is flat within this radius, in metres... */
export const SPAWN_FLAT_RADIUS = 12
/** ...and rises to full height over this distance beyond it. */
export const SPAWN_BLEND_DISTANCE = 24

// Only integer ops (Math.imul, shifts) and IEEE +, -, *, / and sqrt below: no Math.sin, exp or
// pow, whose results may differ between engines. The heights are then identical on every machine.

/** Integer hash of (seed, ix, iz) to [0, 1). */
function hash01(seed: number, ix: number, iz: number): number {
  let h = seed | 0
  h = (h + Math.imul(ix, 0x9e3779b1)) | 0
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  h = (h + Math.imul(iz, 0xc2b2ae35)) | 0
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f)
  h = Math.imul(h ^ (h >>> 16), 0x165667b1)
  h ^= h >>> 15
  return (h >>> 0) / 4294967296
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t)
}

/** Value noise in [-1, 1] at (x, z), in noise cells. */
function valueNoise(seed: number, x: number, z: number): number {
  const x0 = Math.floor(x)
  const z0 = Math.floor(z)
  const sx = smooth(x - x0)
  const sz = smooth(z - z0)
  const a = hash01(seed, x0, z0)
  const b = hash01(seed, x0 + 1, z0)
  const c = hash01(seed, x0, z0 + 1)
  const d = hash01(seed, x0 + 1, z0 + 1)
  const top = a + (b - a) * sx
  const bottom = c + (d - c) * sx
  return 2 * (top + (bottom - top) * sz) - 1
}

/** Fractal (fBm) value noise in [-1, 1] at world (x, z) metres. */
function fractalNoise(seed: number, x: number, z: number): number {
  let sum = 0
  let weight = 0
  let amplitude = 1
  let frequency = 1 / NOISE_BASE_PERIOD
  for (let octave = 0; octave < NOISE_OCTAVES; octave++) {
    const octaveSeed = (seed + Math.imul(octave + 1, 0x632be5ab)) | 0
    sum += amplitude * valueNoise(octaveSeed, x * frequency, z * frequency)
    weight += amplitude
    amplitude *= 0.5
    frequency *= 2
  }
  return sum / weight
}

/** 0 inside the spawn area, rising smoothly to 1 beyond it. */
function spawnFalloff(x: number, z: number): number {
  const r = Math.sqrt(x * x + z * z)
  const t = Math.min(1, Math.max(0, (r - SPAWN_FLAT_RADIUS) / SPAWN_BLEND_DISTANCE))
  return smooth(t)
}

/** Metres between neighbouring vertices. */
export function terrainStep(t: TerrainDefinition): number {
  return t.size / (t.resolution - 1)
}

/** Height at world (x, z) computed from the noise directly (what a vertex at (x, z) would hold). */
export function terrainHeightAt(t: TerrainDefinition, x: number, z: number): number {
  return t.amplitude * fractalNoise(t.seed, x, z) * spawnFalloff(x, z)
}

/**
 * The terrain's heights: `resolution * resolution` values, row-major (z rows, x columns), vertex
 * (i, j) at x = -size/2 + i * step, z = -size/2 + j * step. The same bytes on every machine.
 */
export function generateHeightfield(t: TerrainDefinition): Float32Array {
  const { resolution } = t
  const step = terrainStep(t)
  const half = t.size / 2
  const heights = new Float32Array(resolution * resolution)
  for (let j = 0; j < resolution; j++) {
    const z = -half + j * step
    for (let i = 0; i < resolution; i++) {
      heights[j * resolution + i] = terrainHeightAt(t, -half + i * step, z)
    }
  }
  return heights
}

/** Height of the terrain at world (x, z), bilinear between vertices; clamped to the terrain's edge. */
export function sampleHeight(heights: Float32Array, t: TerrainDefinition, x: number, z: number): number {
  const { resolution } = t
  if (heights.length !== resolution * resolution) {
    throw new RangeError(`heights has ${heights.length} values; a ${resolution}x${resolution} terrain needs ${resolution * resolution}`)
  }
  const step = terrainStep(t)
  const half = t.size / 2
  const last = resolution - 1
  const gx = Math.min(last, Math.max(0, (x + half) / step))
  const gz = Math.min(last, Math.max(0, (z + half) / step))
  const i = Math.min(last - 1, Math.floor(gx))
  const j = Math.min(last - 1, Math.floor(gz))
  const fx = gx - i
  const fz = gz - j
  const at = (ii: number, jj: number): number => heights[jj * resolution + ii] ?? 0
  const top = at(i, j) + (at(i + 1, j) - at(i, j)) * fx
  const bottom = at(i, j + 1) + (at(i + 1, j + 1) - at(i, j + 1)) * fx
  return top + (bottom - top) * fz
}
