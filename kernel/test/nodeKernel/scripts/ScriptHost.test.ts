import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '@peercompute/signing'
import { parseBasisRules } from '@peercompute/world-sdk'
import type { ScriptIntent } from '@peercompute/world-sdk'
import { ScriptError, scriptHost } from '../../../src/nodeKernel/scripts/ScriptHost.js'
import type { ScriptHost, ScriptHostInit, WorldScriptSource } from '../../../src/nodeKernel/scripts/ScriptHost.js'
import { nodePlatform } from '../../../src/platform/node/index.js'
import type { WorkerPort } from '../../../src/platform/WorkerPort.js'

const RULES = parseBasisRules({ limits: { scriptCpuMs: 5, scriptMemoryMiB: 8 } })
const PLAYER = { id: 'peer-a', name: 'Ada', position: [0, 0, 0] as [number, number, number] }

async function script (world: string, source: string, rules = RULES): Promise<WorldScriptSource> {
  return { world, source, sha256: await sha256Hex(new TextEncoder().encode(source)), rules }
}

const COUNTER = `import { defineWorld } from '@peercompute/world-sdk'
export default defineWorld({
  setup (world) { this.n = 0; world.entities.spawn({ id: 'counter', kind: 'text', data: { n: 0 } }) },
  tick (world) { world.entities.update('counter', { n: ++this.n }) },
  playerJoin (world, player) { world.emit('welcome', player.name) },
})`

interface Harness {
  host: ScriptHost
  intents: Map<string, ScriptIntent[]>
  errors: ScriptError[]
}

let running: ScriptHost[] = []
afterEach(() => { for (const h of running) h.stop(); running = [] })

function start (init: ScriptHostInit = { autoTick: false }, spawnWorker: () => WorkerPort = () => nodePlatform().spawnWorker('scripts')): Harness {
  const intents = new Map<string, ScriptIntent[]>()
  const errors: ScriptError[] = []
  const host = scriptHost(init)({
    spawnWorker,
    view: () => ({ players: [PLAYER] }),
    onIntents: (world, list) => { intents.set(world, [...(intents.get(world) ?? []), ...list]) },
    onError: (err) => { errors.push(err) }
  })
  host.start()
  running.push(host)
  return { host, intents, errors }
}

const counterValue = (intents: ScriptIntent[] | undefined): unknown =>
  intents?.filter((i) => i.type === 'update').at(-1)?.data.n

describe('ScriptHost (QuickJS in a worker_thread)', () => {
  it('runs setup, ticks and player hooks, and hands the intents over', async () => {
    const { host, intents } = start()
    await host.load(await script('goal', COUNTER))
    expect(intents.get('goal')?.[0]).toMatchObject({ type: 'spawn', entity: { id: 'counter' } })
    await host.tick()
    await host.tick('goal')
    await host.playerJoin('goal', PLAYER)
    expect(counterValue(intents.get('goal'))).toBe(2)
    expect(intents.get('goal')?.at(-1)).toEqual({ type: 'emit', name: 'welcome', data: 'Ada' })
    expect(host.scripts()).toEqual([expect.objectContaining({ world: 'goal', running: true, ticks: 3, error: null })])
  })

  it("stops a runaway script within its budget while another world's script keeps ticking", async () => {
    const { host, intents, errors } = start()
    await host.load(await script('goal', COUNTER))
    await host.load(await script('runaway', 'export function tick () { for (;;) {} }'))
    const started = performance.now()
    await host.tick()
    expect(performance.now() - started).toBeLessThan(500)
    expect(errors).toEqual([expect.objectContaining({ name: 'ScriptError', world: 'runaway', reason: 'cpu', hook: 'tick' })])
    expect(host.scripts().find((s) => s.world === 'runaway')).toMatchObject({ running: false, error: { reason: 'cpu' } })
    await host.tick()
    await host.tick()
    expect(counterValue(intents.get('goal'))).toBe(3)
  })

  it('ticks on its own at the world rate', async () => {
    const { host, intents } = start({})
    await host.load(await script('goal', COUNTER))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(counterValue(intents.get('goal'))).toBeGreaterThan(5)
  })

  it('refuses a source that does not match its hash, or a world whose rules forbid scripts', async () => {
    const { host, errors } = start()
    const tampered = { ...(await script('goal', COUNTER)), source: COUNTER.replace('++this.n', 'this.n += 100') }
    await expect(host.load(tampered)).rejects.toMatchObject({ name: 'ScriptError', reason: 'integrity' })
    const forbidden = await script('quiet', COUNTER, parseBasisRules({ permissions: { scripts: false } }))
    await expect(host.load(forbidden)).rejects.toMatchObject({ reason: 'forbidden' })
    await expect(host.load(await script('broken', 'export function tick ( {'))).rejects.toMatchObject({ reason: 'load' })
    expect(errors.map((e) => e.reason)).toEqual(['integrity', 'forbidden', 'load'])
  })

  it('ends a worker that does not answer, and stops cleanly', async () => {
    const workers: Worker[] = []
    const silent = (): WorkerPort => {
      const worker = new Worker('require("node:worker_threads").parentPort.on("message", () => {})', { eval: true })
      workers.push(worker)
      return { postMessage: (m) => { worker.postMessage(m) }, onMessage: () => {}, onError: () => {}, terminate: () => { void worker.terminate() } }
    }
    const { host } = start({ autoTick: false, loadTimeoutMs: 300 }, silent)
    const err = await host.load(await script('goal', COUNTER)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ScriptError)
    expect(err).toMatchObject({ reason: 'unresponsive' })
    if (workers[0]!.threadId !== -1) await once(workers[0]!, 'exit')
    host.stop()
    expect(host.isStarted()).toBe(false)
  })
})
