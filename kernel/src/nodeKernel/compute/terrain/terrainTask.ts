import { TERRAIN_WGSL, generateHeightfield } from '@peercompute/world-sdk'
import { terrainParams } from './terrainParams.js'
import type { ComputeManager } from '../ComputeManager.js'
import type { ComputeResult, ComputeTask } from '../computeTask.js'
import type { TerrainDefinition } from '@peercompute/world-sdk'

/** Rows of terrain per chunk handed to a peer. */
const ROWS_PER_CHUNK = 16

/** Where a world's terrain came from, for getStatus() and the HUD. */
export interface TerrainOrigin {
  device: 'webgpu' | 'cpu' | 'main thread'
  ms: number
  /** Row chunks computed per peer (this node included), when the compute network made it. */
  byPeer: Record<string, number>
  verified: number
  /** Why the compute network did not make it, when it did not. */
  fallback: string | null
}

/**
 * The terrain task: the world's heights, row chunks spread over this node and its connected peers
 * (a quarter of the peers' chunks checked on a second one). WGSL on a hardware GPU, else the CPU
 * kernel that gives the same bytes; both come from the world's signed bundle (compute/), so nodes
 * that entered it run them for each other.
 */
export function terrainTask(terrain: TerrainDefinition, device: 'webgpu' | 'cpu'): ComputeTask {
  const input = terrainParams(terrain)
  const distribute = {
    split: { kind: 'range', units: terrain.resolution, unitsPerChunk: ROWS_PER_CHUNK, outputPerUnit: terrain.resolution },
    verify: 0.25,
    deadlineMs: 30_000
  } as const
  return device === 'webgpu'
    ? { type: 'webgpu', shader: TERRAIN_WGSL, input, outputLength: terrain.resolution ** 2, workgroups: 1, distribute }
    : { type: 'cpu', kernel: 'terrain', input, distribute }
}

/**
 * A world's terrain heights from the compute network (see {@link terrainTask}); when that cannot
 * run (the bundle lists no terrain code, compute stopped, no peer answers in time), generated here
 * as world-sdk does, which gives the same bytes.
 */
export async function computeTerrain(compute: ComputeManager, terrain: TerrainDefinition): Promise<{ heights: Float32Array; origin: TerrainOrigin }> {
  const caps = compute.capabilities()
  const device = caps.webgpu === 'available' && !caps.webgpuSoftware ? 'webgpu' : 'cpu'
  const started = performance.now()
  let result: ComputeResult
  try {
    result = await compute.submitTask(terrainTask(terrain, device))
  } catch (err) {
    const heights = generateHeightfield(terrain)
    const fallback = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    return { heights, origin: { device: 'main thread', ms: performance.now() - started, byPeer: {}, verified: 0, fallback } }
  }
  const heights = new Float32Array(result.output.buffer, result.output.byteOffset, terrain.resolution ** 2)
  return { heights, origin: { device: result.device, ms: result.ms, byPeer: result.chunks?.byPeer ?? {}, verified: result.chunks?.verified ?? 0, fallback: null } }
}
