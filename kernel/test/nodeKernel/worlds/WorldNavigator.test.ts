import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSigningKey } from '@peercompute/signing'
import { RuleViolationError, generateHeightfield } from '@peercompute/world-sdk'
import { startRoot } from '@peercompute/root-server'
import type { RootServer } from '@peercompute/root-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNode } from '../../../src/createNode.js'
import { nodeFetch, nodePlatform } from '../../../src/platform/node/index.js'
import { verifyWorldBundle } from '../../../src/nodeKernel/worlds/verifiedWorld.js'
import { dhtHosts } from '../../../src/nodeKernel/worlds/WorldHosting.js'
import { terrainParams } from '../../../src/nodeKernel/compute/terrain/terrainParams.js'
import { httpWorldSource } from '../../../src/nodeKernel/worlds/WorldSource.js'
import type { PeerComputeNode } from '../../../src/createNode.js'
import type { WorldSource } from '../../../src/nodeKernel/worlds/WorldSource.js'
import { activeHandles, describeHandles, waitFor } from '../../fixtures/testWorld.js'
import { contentWorld, publish, signedWorldBundle } from './worldBundles.js'

/** A small terrain whose rows a script asks the compute network for (33 × 33 heights fit a script's 4,096 numbers). */
const RECKON_TERRAIN = { seed: 77, size: 64, resolution: 33, amplitude: 4 }
const reckonScript = (params: number[]): string => `import { defineWorld } from '@peercompute/world-sdk'
export default defineWorld({
  setup (world) {
    world.entities.spawn({ id: 'result', kind: 'box', position: [0, 1, 0] })
    world.submitTask('rows', { type: 'cpu', kernel: 'terrain', array: 'u32', input: ${JSON.stringify(params)}, split: { units: 33, unitsPerChunk: 8, outputPerUnit: 33 } })
    world.submitTask('unlisted', { type: 'cpu', kernel: 'square', array: 'f32', input: [1, 2, 3] })
  },
  onEvent (world, event) {
    if (event.name === 'task:rows') world.entities.update('result', { ok: event.data.ok, n: event.data.output.length, sum: event.data.output.reduce((a, x) => (a + x) >>> 0, 0), peers: event.data.peers })
    if (event.name === 'task:unlisted') world.entities.update('result', { refused: event.data.error })
  },
})
`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const RUNAWAY = `import { defineWorld } from '@peercompute/world-sdk'
export default defineWorld({
  setup (world) { world.entities.spawn({ id: 'marker', kind: 'box', position: [1, 1, 1], data: { color: '#ff0000' } }) },
  tick () { for (;;) {} },
})
`

/** How far the avatar rises within 1.2 s of a jump from the ground. */
async function jumpRise(node: PeerComputeNode): Promise<number> {
  const physics = node.kernel.physics!
  await waitFor('the avatar to stand on the ground', () => physics.avatar()?.grounded === true && Math.abs(physics.avatar()!.velocity[1]) < 0.05, 15_000)
  const start = physics.avatar()!.position[1]
  let top = start
  node.kernel.input.press('jump')
  const end = Date.now() + 1200
  while (Date.now() < end) {
    top = Math.max(top, physics.avatar()?.position[1] ?? top)
    await sleep(20)
  }
  node.kernel.input.release('jump')
  return top - start
}

function entityNames(node: PeerComputeNode): string[] {
  return node.kernel.state.world()?.entities().map((e) => e.name ?? '') ?? []
}

describe('sub-worlds: host, join, nest, refuse, migrate (real root, real libp2p)', () => {
  let dir: string
  let root: RootServer
  let source: WorldSource
  const nodes: PeerComputeNode[] = []
  let a: PeerComputeNode
  let b: PeerComputeNode
  let c: PeerComputeNode
  let baseline = 0
  let baselineHandles = ''

  async function node(name: string, enablePhysics = false, storageMode: 'local' | 'propagate' = 'local'): Promise<PeerComputeNode> {
    const n = await createNode({
      platform: nodePlatform({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], trustRoot: { insecure: true }, dhtPrivateAddresses: true }),
      name, bootstrap: root.p2pMultiaddrs, enablePhysics, storageMode, worlds: { source, heartbeatMs: 2000 }
    })
    nodes.push(n)
    await n.start()
    return n
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-subworlds-'))
    root = await startRoot({ port: 0, dataDir: join(dir, 'data'), host: '127.0.0.1', publicHost: '127.0.0.1', onError: () => {} })
    source = httpWorldSource({ root: root.url, fetch: nodeFetch({ insecure: true }) })
    const key = await generateSigningKey()
    for (const id of ['moon', 'goal', 'goal-annex']) await publish(root.url, await signedWorldBundle(await contentWorld(id), key))
    await publish(root.url, await signedWorldBundle({ id: 'spin', parent: 'overworld', rules: {}, script: RUNAWAY }, key))
    await publish(root.url, await signedWorldBundle({ id: 'reckon', parent: 'overworld', rules: {}, script: reckonScript([...terrainParams(RECKON_TERRAIN)]) }, key))
    // A parent that tightens its rules after a child was published: the child breaks them now.
    await publish(root.url, await signedWorldBundle({ id: 'lowlands', parent: 'overworld', rules: {} }, key))
    await publish(root.url, await signedWorldBundle({ id: 'pit', parent: 'lowlands', rules: { physics: { gravity: -3 } } }, key))
    await publish(root.url, await signedWorldBundle({ id: 'lowlands', version: '1.1.0', parent: 'overworld', rules: { descendants: { lock: ['physics.gravity'] } } }, key))
    baseline = activeHandles()
    baselineHandles = describeHandles()
    ;[a, b, c] = [await node('alice'), await node('bob', true), await node('carol')]
  }, 60_000)

  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()))
    await root?.stop()
    await rm(dir, { recursive: true, force: true })
  }, 30_000)

  it('A hosts the moon headless; B joins it as A\'s child and jumps higher than in the overworld', async () => {
    const hosting = await a.kernel.hostWorld('moon')
    expect(hosting.announced).toBe(true)
    expect((await source.hosts('moon')).map((h) => h.peerId)).toEqual([a.getStatus().peerId])

    await b.kernel.joinWorld('overworld')
    expect(b.getStatus().chain).toEqual(['overworld'])
    const overworldRise = await jumpRise(b)

    await b.kernel.joinWorld('moon')
    const status = b.getStatus()
    expect(status.chain).toEqual(['overworld', 'moon'])
    expect(status.parent).toBe(a.getStatus().peerId)
    expect(status.effectiveRules?.physics.gravity).toBe(-1.62)
    // The moon's terrain came from the compute network: its bundle's CPU kernel, row chunks spread
    // over B and the peers it links to, the same bytes generateHeightfield gives.
    const moon = b.kernel.world()
    const terrain = moon?.definition.terrain
    expect(status.terrain).toMatchObject({ device: 'cpu', fallback: null })
    expect(Object.values(status.terrain?.byPeer ?? {}).reduce((sum, n) => sum + n, 0)).toBe(Math.ceil((terrain?.resolution ?? 0) / 16))
    expect(Object.keys(status.terrain?.byPeer ?? {}).length).toBeGreaterThan(1)
    expect(new Uint32Array((moon?.heights ?? new Float32Array()).slice().buffer)).toEqual(new Uint32Array(generateHeightfield(terrain ?? { seed: 0, size: 1, resolution: 2, amplitude: 0 }).buffer))
    const moonRise = await jumpRise(b)
    expect(overworldRise).toBeGreaterThan(0.5)
    expect(moonRise).toBeGreaterThan(overworldRise * 2)
    await waitFor('A to see B in its world', () => a.getStatus().players.some((p) => p.name === 'bob'))
    // The DHT is a second way to find the host: its provider record for the world's key.
    await waitFor('the DHT provider record', () => a.getStatus().hosting?.provided === true)
    expect((await dhtHosts(b, 'moon')).map((h) => h.peerId)).toContain(a.getStatus().peerId)
  }, 40_000)

  it('nests three levels: A hosts goal, B joins it and hosts goal-annex below, C joins that; leaving returns to goal', async () => {
    await a.kernel.hostWorld('goal')
    await waitFor('the goal script to spawn its scoreboard', () => entityNames(a).includes('scoreboard'))
    await b.kernel.joinWorld('goal')
    await b.kernel.hostWorld('goal-annex')
    expect(b.getStatus().parent).toBe(a.getStatus().peerId)
    await c.kernel.joinWorld('goal-annex')
    const status = c.getStatus()
    expect(status.chain).toEqual(['overworld', 'goal', 'goal-annex'])
    expect(status.parent).toBe(b.getStatus().peerId)
    expect(status.effectiveRules?.limits.players).toBe(8)
    expect(status.effectiveRules?.movement.fly).toBe(true)

    await c.kernel.leaveWorld()
    expect(c.getStatus().chain).toEqual(['overworld', 'goal'])
    expect(c.getStatus().parent).toBe(a.getStatus().peerId)
    await waitFor('C to get the scoreboard from the goal host', () => entityNames(c).includes('scoreboard'))
    // The script's entity data (entities.update / spawn data) is in the document every player reads.
    const scoreboard = c.kernel.state.world()?.entities().find((e) => e.name === 'scoreboard')
    expect(scoreboard?.data).toMatchObject({ text: 'Goals: 0', goals: 0 })
  }, 30_000)

  it('refuses a world that breaks a rule its parent locks, naming the rule, at join and when hosting a bundle file', async () => {
    const joined = await c.kernel.joinWorld('pit').then(() => null, (err: unknown) => err)
    expect(joined).toBeInstanceOf(RuleViolationError)
    expect((joined as RuleViolationError).rule).toBe('rules.physics.gravity')
    expect((joined as Error).message).toContain('lowlands')
    expect(c.getStatus().chain).toEqual(['overworld', 'goal'])

    const bundle = await signedWorldBundle({ id: 'heavy-moon', parent: 'moon', rules: { physics: { gravity: -20 } } }, await generateSigningKey())
    await expect(verifyWorldBundle(source, bundle)).rejects.toMatchObject({ name: 'RuleViolationError', rule: 'rules.physics.gravity' })
  })

  it('stops a runaway script while the world goes on', async () => {
    await a.kernel.hostWorld('spin')
    await waitFor('the runaway script to be stopped', () => a.getStatus().hosting?.script?.error?.reason === 'cpu', 10_000)
    expect(a.getStatus().hosting?.intents.applied).toBeGreaterThanOrEqual(1)
    await c.kernel.joinWorld('spin')
    await waitFor('C to get the entity the script spawned before it ran away', () => entityNames(c).includes('marker'))
    await a.kernel.state.placeProp({ prop: { shape: 'box', size: [1, 1, 1], color: '#00ff00', mass: 0 }, position: [2, 0, 2], name: 'after' })
    await waitFor('C to see a write made after the script stopped', () => entityNames(c).includes('after'))
  }, 30_000)

  it("a hosted world's script submits a compute task and gets the result back; code its bundle does not list is refused", async () => {
    await a.kernel.hostWorld('reckon')
    const result = (): Record<string, unknown> => a.kernel.state.world()?.entities().find((e) => e.name === 'result')?.data ?? {}
    await waitFor('the script to get both answers', () => result().sum != null && result().refused != null, 15_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}: result ${JSON.stringify(result())}, hosting ${JSON.stringify(a.getStatus().hosting)}`)
    })
    const expected = new Uint32Array(generateHeightfield(RECKON_TERRAIN).buffer).reduce((sum, x) => (sum + x) >>> 0, 0)
    expect(result()).toMatchObject({ ok: true, n: 33 * 33, sum: expected })
    expect(String(result().refused)).toContain('UntrustedCodeError')
  }, 30_000)

  it("with storage mode 'propagate' the root keeps a hosted world's state, for the next host", async () => {
    const d = await node('dave', false, 'propagate')
    await d.kernel.hostWorld('lowlands')
    await d.kernel.state.placeProp({ prop: { shape: 'box', size: [1, 1, 1], color: '#123456', mass: 0 }, position: [1, 0, 1], name: 'durable' })
    expect(existsSync(join(root.dataDir, 'state', 'lowlands'))).toBe(true)
    await d.stop()
    const e = await node('erin', false, 'propagate')
    await e.kernel.hostWorld('lowlands')
    await waitFor('the next host to get the state from the root', () => entityNames(e).includes('durable'))
    await e.stop()
  }, 30_000)

  it('keeps the world when its host stops: the lowest peerId among B and C takes over, state intact', async () => {
    await a.kernel.hostWorld('goal')
    await b.kernel.joinWorld('goal')
    await c.kernel.joinWorld('goal')
    await a.kernel.state.placeProp({ prop: { shape: 'sphere', size: [1, 1, 1], color: '#0000ff', mass: 0 }, position: [3, 0, 3], name: 'kept' })
    await waitFor('B and C to have the prop and see each other', () =>
      entityNames(b).includes('kept') && entityNames(c).includes('kept') &&
      b.getStatus().players.some((p) => p.name === 'carol') && c.getStatus().players.some((p) => p.name === 'bob'))
    const [first, second] = [b, c].sort((x, y) => (x.getStatus().peerId! < y.getStatus().peerId! ? -1 : 1)) as [PeerComputeNode, PeerComputeNode]

    const stopped = Date.now()
    await a.stop()
    await waitFor('the new host to take over', () => first.getStatus().hosting?.world === 'goal' && second.getStatus().parent === first.getStatus().peerId, 5000)
    expect(Date.now() - stopped).toBeLessThan(5000)
    expect(second.getStatus().migrations.at(-1)?.to).toBe(first.getStatus().peerId)
    expect(entityNames(first)).toContain('kept')
    expect(entityNames(second)).toContain('kept')
    expect((await source.hosts('goal')).map((h) => h.peerId)).toEqual([first.getStatus().peerId])
    // The new host runs the script from the document's state: its setup finds the scoreboard rather than adding one.
    await waitFor('the script to run on the new host', () => (first.getStatus().hosting?.script?.ticks ?? 0) > 0)
    await sleep(500) // time for a duplicate, were one made, to reach the other member
    expect(entityNames(second).filter((n) => n === 'scoreboard')).toHaveLength(1)

    await second.kernel.state.placeProp({ prop: { shape: 'box', size: [1, 1, 1], color: '#ffffff', mass: 0 }, position: [4, 0, 4], name: 'later' })
    await waitFor('the new host to get a write made after the migration', () => entityNames(first).includes('later'), 8000)
  }, 30_000)

  // Twice in earlier CI runs (then beside every other test file) a handle outlived stop() by more
  // than 20 s; not seen since in this lighter pass. A failure lists the handles left, to find it.
  it('stopped nodes, hosts included, leave no open handles', { timeout: 30_000 }, async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    // The root (still running) closes its side of each connection with libp2p's graceful timeouts,
    // which stretch on a loaded 2-core machine: a leak stays, a slow close does not.
    await waitFor(`handles to return to the baseline (${baseline})`, () => activeHandles() <= baseline, 20_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; at the baseline: ${baselineHandles}; now: ${describeHandles()}`)
    })
  })
})
