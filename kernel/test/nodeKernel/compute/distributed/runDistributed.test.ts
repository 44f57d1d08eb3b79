import '../../../../src/platform/node/polyfills.js'
import { memory } from '@libp2p/memory'
import { ping } from '@libp2p/ping'
import { plaintext } from '@libp2p/plaintext'
import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { generateHeightfield } from '@peercompute/world-sdk'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { computeManager } from '../../../../src/nodeKernel/compute/ComputeManager.js'
import { ComputeCancelledError, ComputeDeadlineError, UntrustedCodeError } from '../../../../src/nodeKernel/compute/computeTask.js'
import { cpuKernelCodeHash } from '../../../../src/nodeKernel/compute/cpuKernels.js'
import { COMPUTE_PROTOCOL, encodeJson } from '../../../../src/nodeKernel/compute/distributed/computeWire.js'
import { RemoteChunkError, runRemoteChunk } from '../../../../src/nodeKernel/compute/distributed/remoteChunk.js'
import { terrainParams } from '../../../../src/nodeKernel/compute/terrain/terrainParams.js'
import { nodePlatform } from '../../../../src/platform/node/index.js'
import type { ComputeManager } from '../../../../src/nodeKernel/compute/ComputeManager.js'
import type { ComputeTask } from '../../../../src/nodeKernel/compute/computeTask.js'
import type { Libp2p } from '@libp2p/interface'

// Five real nodes in one process: libp2p over in-memory streams, each with its own compute worker
// (kernel/dist: `npx tsc -b kernel` first).
const terrain = { seed: 7, size: 512, resolution: 385, amplitude: 30 }
const terrainTask = (rowsPerChunk: number, extra: Partial<NonNullable<ComputeTask['distribute']>> = {}): ComputeTask => ({
  type: 'cpu',
  kernel: 'terrain',
  input: terrainParams(terrain),
  distribute: { split: { kind: 'range', units: terrain.resolution, unitsPerChunk: rowsPerChunk, outputPerUnit: terrain.resolution }, ...extra }
})
const expected = new Uint32Array(generateHeightfield(terrain).buffer)

interface TestNode { libp2p: Libp2p; compute: ComputeManager | null }
let n = 0

async function makeLibp2p(): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: [`/memory/compute-${process.pid}-${n++}`] },
    transports: [memory()],
    connectionEncrypters: [plaintext()],
    streamMuxers: [yamux()],
    services: { ping: ping() }
  })
}

async function makeNode(trusted = true): Promise<TestNode> {
  const libp2p = await makeLibp2p()
  const platform = nodePlatform()
  const compute = computeManager()({ spawnWorker: (kind) => platform.spawnWorker(kind), libp2p: () => libp2p })
  if (trusted) compute.trust(await cpuKernelCodeHash('terrain'))
  await compute.start()
  return { libp2p, compute }
}

/** A peer that offers to compute and then answers with `answer` (or never, with null). */
async function rogueNode(answer: ((elements: number) => Uint8Array) | null): Promise<TestNode> {
  const libp2p = await makeLibp2p()
  await libp2p.handle(COMPUTE_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    const request = JSON.parse(new TextDecoder().decode((await lp.read()).subarray())) as { t: string; elements: number }
    if (request.t === 'caps') {
      await lp.write(encodeJson({ t: 'caps', cores: 8, webgpu: false, load: 0, trusted: true }))
      await stream.close()
      return
    }
    const input = await lp.read()
    if (answer == null) return // stalls
    const rows = new Uint32Array(input.subarray().slice().buffer)[1] as number
    await lp.write(encodeJson({ t: 'result', elements: rows * terrain.resolution }))
    await lp.write(answer(rows * terrain.resolution))
    await stream.close()
  })
  return { libp2p, compute: null }
}

describe('distributed compute over libp2p (five nodes)', () => {
  const nodes: TestNode[] = []
  const cluster = async (count: number, extra: TestNode[] = []): Promise<TestNode[]> => {
    const made = [...await Promise.all(Array.from({ length: count }, () => makeNode())), ...extra]
    nodes.push(...made)
    const [head, ...rest] = made
    for (const peer of rest) await head?.libp2p.dial(peer.libp2p.getMultiaddrs())
    return made
  }
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async (node) => {
      node.compute?.stop()
      await node.libp2p.stop()
    }))
  })

  it('splits a task over five nodes and gets exactly the single-node result, in order', async () => {
    const [submitter] = await cluster(5)
    const result = await submitter!.compute!.submitTask(terrainTask(16))
    expect(result.output).toEqual(expected)
    expect(Object.keys(result.chunks?.byPeer ?? {}).length).toBeGreaterThanOrEqual(4)
    expect(result.chunks?.total).toBe(Math.ceil(terrain.resolution / 16))
  })

  it('finishes when a node is killed mid-task and another stalls', async () => {
    const staller = await rogueNode(null)
    const [submitter, , , victim] = await cluster(4, [staller])
    const pending = submitter!.compute!.submitTask(terrainTask(8, { stallMs: 1500 }))
    await new Promise((resolve) => setTimeout(resolve, 150))
    victim!.compute!.stop()
    await victim!.libp2p.stop()
    const result = await pending
    expect(result.output).toEqual(expected)
    expect(result.chunks?.reassigned).toBeGreaterThanOrEqual(1)
    expect(result.chunks?.byPeer[staller.libp2p.peerId.toString()] ?? 0).toBe(0)
  })

  it('catches a forged result by a spot check, reruns it, and scores the forger down', async () => {
    const forger = await rogueNode((elements) => new Uint8Array(elements * 4).fill(7))
    const [submitter] = await cluster(2, [forger])
    const result = await submitter!.compute!.submitTask(terrainTask(32, { verify: 1 }))
    expect(result.output).toEqual(expected)
    expect(result.chunks?.rejected).toBeGreaterThanOrEqual(1)
    expect(submitter!.compute!.peerScores()[forger.libp2p.peerId.toString()]?.score).toBeLessThan(0)
    // A peer below zero gets no more chunks.
    const again = await submitter!.compute!.submitTask(terrainTask(32, { verify: 1 }))
    expect(again.chunks?.byPeer[forger.libp2p.peerId.toString()] ?? 0).toBe(0)
  })

  it('runs only code a node trusts itself, whoever asks', async () => {
    const [submitter, sceptic] = await cluster(1, [await makeNode(false)])
    const result = await submitter!.compute!.submitTask(terrainTask(64))
    expect(result.output).toEqual(expected)
    expect(result.chunks?.byPeer[sceptic!.libp2p.peerId.toString()] ?? 0).toBe(0)
    const asked = runRemoteChunk(submitter!.libp2p, sceptic!.libp2p.peerId.toString(), { type: 'cpu', kernel: 'terrain' }, terrainParams(terrain, 0, 1), terrain.resolution, AbortSignal.timeout(5000))
    await expect(asked).rejects.toBeInstanceOf(RemoteChunkError)
    await expect(asked).rejects.toMatchObject({ remoteName: 'UntrustedCodeError' })
    await expect(sceptic!.compute!.submitTask(terrainTask(64))).rejects.toBeInstanceOf(UntrustedCodeError)
  })

  it('fails at its deadline and when cancelled', async () => {
    const [submitter] = await cluster(2)
    await expect(submitter!.compute!.submitTask(terrainTask(1, { deadlineMs: 30 }))).rejects.toBeInstanceOf(ComputeDeadlineError)
    const controller = new AbortController()
    const pending = submitter!.compute!.submitTask(terrainTask(1, { signal: controller.signal }))
    setTimeout(() => { controller.abort() }, 20)
    await expect(pending).rejects.toBeInstanceOf(ComputeCancelledError)
  })
})
