import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:https'
import { fileURLToPath } from 'node:url'
import { createNode, httpWorldSource } from '@peercompute/kernel'
import type { PeerComputeNode } from '@peercompute/kernel'
import { nodeFetch, nodePlatform } from '@peercompute/kernel/node'
import { startRoot } from '@peercompute/root-server'
import type { RootServer } from '@peercompute/root-server'
import { buildManifest, encodeBundleFile, generateSigningKey, signBundle } from '@peercompute/signing'
import { row, summarize } from '../stats.js'
import { runBrowserJoinBench } from './browserJoinBench.js'

const RUNS = 5
const MIGRATIONS = 3
const MOON = fileURLToPath(new URL('../../../content/worlds/moon/', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Issue 6's figures: headless, time from `joinWorld` to the first physics frame inside a sub-world
 * (the moon, hosted by another node) beside the same for the overworld; in Chromium, click Join to
 * the first frame drawn in the moon beside opening the page to the overworld's first frame; and
 * host-migration time (host stops → a member hosts and the other is re-attached).
 */
export async function runWorldsBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'peercompute-worlds-bench-'))
  const root = await startRoot({ port: 0, host: '127.0.0.1', publicHost: '127.0.0.1', dataDir: join(dir, 'data'), onError: () => {} })
  const source = httpWorldSource({ root: root.url, fetch: nodeFetch({ insecure: true }) })
  const nodes: PeerComputeNode[] = []
  const node = async (name: string, enablePhysics = false): Promise<PeerComputeNode> => {
    const n = await createNode({ platform: nodePlatform({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], trustRoot: { insecure: true } }), name, bootstrap: root.p2pMultiaddrs, enablePhysics, worlds: { source, heartbeatMs: 2000 } })
    nodes.push(n)
    await n.start()
    return n
  }
  try {
    await publishMoon(root)
    const host = await node('host')
    await host.kernel.hostWorld('moon')
    const player = await node('player', true)
    const overworld: number[] = []
    const moon: number[] = []
    for (let i = 0; i < RUNS; i++) {
      overworld.push(await timeToFirstFrame(player, 'overworld'))
      moon.push(await timeToFirstFrame(player, 'moon'))
    }
    const o = summarize(overworld)
    const m = summarize(moon)
    console.log(`joins: ${RUNS} each, headless Node player with Havok; sub-world hosted by another node`)
    console.log(row('join sub-world -> first frame p50', m.p50, o.p50, 'ms'))
    console.log(row('join sub-world -> first frame mean', m.mean, o.mean, 'ms'))
    await runBrowserJoinBench(root.url, host)

    // The migration runs get the world to themselves: its first host and player leave.
    await Promise.all([host.stop(), player.stop()])
    const migrations: number[] = []
    for (let i = 0; i < MIGRATIONS; i++) migrations.push(await migrationTime(await node(`h${i}`), await node(`m${i}a`), await node(`m${i}b`)))
    const g = summarize(migrations)
    console.log(row('host migration (host stops -> all re-attached) p50', g.p50, 5000, 'ms', 'within 5 s'))
    console.log(`  migrations: ${migrations.map((ms) => ms.toFixed(0)).join(', ')} ms`)
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()))
    await root.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

async function timeToFirstFrame(player: PeerComputeNode, world: string): Promise<number> {
  const started = performance.now()
  await player.kernel.joinWorld(world)
  const physics = player.kernel.physics!
  const steps = physics.stats().steps
  while (physics.stats().steps === steps || physics.avatar() == null) await sleep(2)
  return performance.now() - started
}

async function migrationTime(host: PeerComputeNode, a: PeerComputeNode, b: PeerComputeNode): Promise<number> {
  await host.kernel.hostWorld('moon')
  await a.kernel.joinWorld('moon')
  await b.kernel.joinWorld('moon')
  while (!(a.getStatus().players.length >= 3 && b.getStatus().players.length >= 3)) await sleep(20)
  const [first, second] = [a, b].sort((x, y) => (x.getStatus().peerId! < y.getStatus().peerId! ? -1 : 1)) as [PeerComputeNode, PeerComputeNode]
  const started = performance.now()
  await host.stop()
  while (!(first.getStatus().hosting != null && second.getStatus().parent === first.getStatus().peerId)) {
    if (performance.now() - started > 10_000) return Number.NaN
    await sleep(5)
  }
  const ms = performance.now() - started
  await Promise.all([first.stop(), second.stop()])
  return ms
}

async function publishMoon(root: RootServer): Promise<void> {
  const info = JSON.parse(await readFile(join(MOON, 'bundle.json'), 'utf8')) as { id: string; name: string; version: string; parent: string }
  const files = [
    { path: 'main.js', bytes: new Uint8Array(await readFile(join(MOON, 'main.js'))) },
    // Heights in the source are above the ground; the moon is flat around its spawn, so they serve as they are.
    { path: 'world.json', bytes: new Uint8Array(await readFile(join(MOON, 'world.json'))) }
  ]
  const rules = JSON.parse(await readFile(join(MOON, 'rules.json'), 'utf8')) as Record<string, unknown>
  const manifest = await buildManifest({ ...info, entry: 'world.json', rules, publisher: '', files })
  const bytes = await signBundle(encodeBundleFile({ manifest }, files), await generateSigningKey())
  await new Promise<void>((resolve, reject) => {
    const req = request(new URL('api/worlds', root.url), { method: 'POST', rejectUnauthorized: false, headers: { 'content-length': String(bytes.byteLength) } }, (res) => {
      res.resume()
      res.on('end', () => {
        if (res.statusCode === 201) resolve()
        else reject(new Error(`publishing the moon failed: HTTP ${res.statusCode ?? 0}`))
      })
    })
    req.on('error', reject)
    req.end(bytes)
  })
}
