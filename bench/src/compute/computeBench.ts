import '@peercompute/kernel/node'
import { memory } from '@libp2p/memory'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@libp2p/yamux'
import { computeManager, cpuKernelCodeHash, terrainParams } from '@peercompute/kernel'
import { nodePlatform } from '@peercompute/kernel/node'
import { createLibp2p } from 'libp2p'
import { row } from '../stats.js'
import type { ComputeManager, ComputeTask } from '@peercompute/kernel'
import type { Libp2p } from '@libp2p/interface'

// A compute-bound task: the overworld's terrain function over a 2049 x 2049 grid, in row chunks of ~50 ms.
const terrain = { seed: 20250611, size: 2048, resolution: 2049, amplitude: 18 }
const ROWS_PER_CHUNK = 192
const RUNS = 5
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

async function node(withNetwork: boolean): Promise<{ compute: ComputeManager; libp2p: Libp2p | null }> {
  const libp2p = withNetwork
    ? await createLibp2p({ addresses: { listen: [`/memory/bench-compute-${Math.random()}`] }, transports: [memory()], connectionEncrypters: [plaintext()], streamMuxers: [yamux()] })
    : null
  const platform = nodePlatform()
  const compute = computeManager()({ spawnWorker: (kind) => platform.spawnWorker(kind), libp2p: () => libp2p })
  compute.trust(await cpuKernelCodeHash('terrain'))
  await compute.start()
  return { compute, libp2p }
}

const chunkTask = (first: number, rows: number): ComputeTask => ({ type: 'cpu', kernel: 'terrain', input: terrainParams(terrain, first, rows) })
const splitTask = (): ComputeTask => ({
  type: 'cpu', kernel: 'terrain', input: terrainParams(terrain),
  distribute: { split: { kind: 'range', units: terrain.resolution, unitsPerChunk: ROWS_PER_CHUNK, outputPerUnit: terrain.resolution }, deadlineMs: 600_000 }
})

/**
 * Compute throughput: the same chunks run one after another on a worker with no network (the
 * baseline), split by `submitTask` on one node (dispatch overhead), and on two nodes over libp2p
 * streams. On a machine of 2 shared cores two nodes cannot be much faster than one: read the
 * one-node overhead, and the two-node figure as "distribution costs no more than this".
 */
export async function runComputeBench(): Promise<void> {
  const local = await node(false)
  const one = await node(true)
  const chunks = Math.ceil(terrain.resolution / ROWS_PER_CHUNK)
  await local.compute.submitTask(chunkTask(0, ROWS_PER_CHUNK)) // warm the workers
  await one.compute.submitTask(chunkTask(0, ROWS_PER_CHUNK))
  const timed = async (run: () => Promise<unknown>): Promise<number> => {
    const started = performance.now()
    await run()
    return performance.now() - started
  }
  const baseline = (): Promise<number> => timed(async () => {
    for (let first = 0; first < terrain.resolution; first += ROWS_PER_CHUNK) await local.compute.submitTask(chunkTask(first, Math.min(ROWS_PER_CHUNK, terrain.resolution - first)))
  })
  // Alternated, medians of RUNS: a shared 2-core machine drifts between one run and the next.
  const base: number[] = []
  const split: number[] = []
  for (let r = 0; r < RUNS; r++) {
    base.push(await baseline())
    split.push(await timed(() => one.compute.submitTask(splitTask())))
  }
  const baselineMs = median(base)
  const oneMs = median(split)
  console.log(`terrain ${terrain.resolution}x${terrain.resolution}: ${chunks} chunks of ${ROWS_PER_CHUNK} rows, ${(baselineMs / chunks).toFixed(1)} ms per chunk locally (medians of ${RUNS})`)
  console.log(row('1 node, split by submitTask (ms)', oneMs, baselineMs, 'ms', 'overhead < 10%'))

  const two = await node(true)
  await one.libp2p?.dial(two.libp2p?.getMultiaddrs() ?? [])
  await two.compute.submitTask(chunkTask(0, 1))
  let result: Awaited<ReturnType<ComputeManager['submitTask']>> | null = null
  const spread: number[] = []
  for (let r = 0; r < RUNS; r++) spread.push(await timed(async () => { result = await one.compute.submitTask(splitTask()) }))
  local.compute.stop()
  const twoMs = median(spread)
  console.log(row('2 nodes over libp2p (ms)', twoMs, baselineMs, 'ms'))
  console.log(`  chunks per node (last run): ${JSON.stringify(Object.values((result as { chunks?: { byPeer: Record<string, number> } } | null)?.chunks?.byPeer ?? {}))}; throughput ${(chunks / (twoMs / 1000)).toFixed(1)} chunks/s vs ${(chunks / (baselineMs / 1000)).toFixed(1)} locally`)
  for (const n of [one, two]) {
    n.compute.stop()
    await n.libp2p?.stop()
  }
}
