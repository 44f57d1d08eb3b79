import { terrainHeightAt, terrainStep } from '@peercompute/world-sdk'
import type { TerrainDefinition } from '@peercompute/world-sdk'

/**
 * The terrain task's input, u32 words: [0] first row, [1] rows, [2] seed (as int32 bits),
 * [3] resolution, [4..5] step, [6..7] half size, [8..9] amplitude — the three as float64 words
 * (low, high), so the shader and the CPU start from the very numbers generateHeightfield uses.
 * The output is one float32 height per vertex, as u32 bits, rows `first .. first+rows-1`.
 */
export const TERRAIN_PARAM_WORDS = 10

/** Packs a terrain definition (and a row range) into the task's input words. */
export function terrainParams(t: TerrainDefinition, firstRow = 0, rows = t.resolution): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(TERRAIN_PARAM_WORDS)
  words[0] = firstRow
  words[1] = rows
  words[2] = t.seed | 0
  words[3] = t.resolution
  const f64 = new Float64Array(words.buffer, 16, 3)
  f64[0] = terrainStep(t)
  f64[1] = t.size / 2
  f64[2] = t.amplitude
  return words
}

/** The CPU version: the rows' heights, computed exactly as world-sdk's generateHeightfield does. */
export function terrainRows(params: Uint32Array): Uint32Array<ArrayBuffer> {
  if (params.length < TERRAIN_PARAM_WORDS) throw new RangeError(`The terrain task takes ${TERRAIN_PARAM_WORDS} u32 words; got ${params.length}.`)
  const first = params[0] as number
  const rows = params[1] as number
  const resolution = params[3] as number
  const f64 = new Float64Array(params.slice(4, 10).buffer)
  const [step, half, amplitude] = [f64[0] as number, f64[1] as number, f64[2] as number]
  const t: TerrainDefinition = { seed: params[2] as number | 0, size: half * 2, resolution, amplitude }
  const out = new Float32Array(rows * resolution)
  for (let r = 0; r < rows; r++) {
    const z = -half + (first + r) * step
    for (let i = 0; i < resolution; i++) out[r * resolution + i] = terrainHeightAt(t, -half + i * step, z)
  }
  return new Uint32Array(out.buffer)
}
