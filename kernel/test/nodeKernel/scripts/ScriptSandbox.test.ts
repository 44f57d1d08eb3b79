import { describe, expect, it } from 'vitest'
import { DEFAULT_BASIS_RULES, parseBasisRules } from '@peercompute/world-sdk'
import type { BasisRules, ScriptOutput } from '@peercompute/world-sdk'
import { ScriptError } from '../../../src/nodeKernel/scripts/ScriptError.js'
import { OVERRUNS_IN_A_ROW, ScriptSandbox } from '../../../src/nodeKernel/scripts/ScriptSandbox.js'
import type { SandboxLimits } from '../../../src/nodeKernel/scripts/ScriptSandbox.js'
import { loadQuickJS } from '../../../src/nodeKernel/scripts/scriptWorker.js'

const LIMITS: SandboxLimits = { cpuMs: 5, setupCpuMs: 100, memoryBytes: 8 * 2 ** 20, stackBytes: 256 * 1024, maxOutputChars: 64 * 1024 }

async function sandbox (source: string, rules: BasisRules = DEFAULT_BASIS_RULES, limits = LIMITS): Promise<{ sandbox: ScriptSandbox; setup: ScriptOutput }> {
  return ScriptSandbox.create(await loadQuickJS(), { world: 'test', source, rules, limits })
}

/** The ScriptError a failing load or call throws. */
async function stopped (fn: () => unknown): Promise<ScriptError> {
  try {
    await fn()
  } catch (err) {
    if (err instanceof ScriptError) return err
    throw err
  }
  throw new Error('expected a ScriptError')
}

/** Loads a script whose setup emits `probe`'s result as the event 'probe'. */
async function probe (expression: string): Promise<unknown> {
  const { sandbox: s, setup } = await sandbox(`
    import { defineWorld } from '@peercompute/world-sdk'
    export default defineWorld({ setup (world) { world.emit('probe', (() => { ${expression} })()) } })`)
  s.dispose()
  const intent = setup.intents[0]
  return intent?.type === 'emit' ? intent.data : undefined
}

describe('ScriptSandbox: the world-sdk API', () => {
  it('runs the hooks of a defineWorld script and turns its changes into intents', async () => {
    const { sandbox: s, setup } = await sandbox(`
      import { defineWorld } from '@peercompute/world-sdk'
      export default defineWorld({
        setup (world) { this.score = 0; world.entities.spawn({ id: 'ball', kind: 'sphere', position: [0, 1, 0] }) },
        tick (world, dt) {
          world.entities.move('ball', [dt, 1, 0])
          world.entities.update('ball', { score: ++this.score })
          world.log('tick', this.score, { players: world.players().length })
        },
        playerJoin (world, player) { world.emit('hello', player.name) },
        onEvent (world, event) { if (event.name === 'reset') world.entities.remove('ball') },
      })`)
    expect(setup.intents).toEqual([{ type: 'spawn', entity: { id: 'ball', kind: 'sphere', position: [0, 1, 0], rotation: [0, 0, 0, 1], data: {} } }])
    const tick = s.call('tick', { dt: 0.5, players: [{ id: 'p1', name: 'Ada', position: [0, 0, 0] }] })
    expect(tick.intents).toEqual([
      { type: 'move', id: 'ball', position: [0.5, 1, 0] },
      { type: 'update', id: 'ball', data: { score: 1 } },
    ])
    expect(tick.logs).toEqual([{ level: 'info', message: 'tick 1 {"players":1}' }])
    expect(s.call('playerJoin', { value: { id: 'p2', name: 'Bo', position: [0, 0, 0] } }).intents).toEqual([{ type: 'emit', name: 'hello', data: 'Bo' }])
    expect(s.call('onEvent', { value: { name: 'reset', data: null } }).intents).toEqual([{ type: 'remove', id: 'ball' }])
    expect(s.call('playerLeave', { value: { id: 'p2', name: 'Bo', position: [0, 0, 0] } }).intents).toEqual([])
    s.dispose()
  })

  it('takes plain named exports too, and sees the entities the world reports', async () => {
    const { sandbox: s } = await sandbox(`export function tick (world) { const b = world.entities.get('ball'); world.emit('at', b.position) }`)
    const ball = { id: 'ball', kind: 'prop', position: [3, 0, 4], rotation: [0, 0, 0, 1], data: {} }
    expect(s.call('tick', { dt: 0.1, entities: [ball] }).intents).toEqual([{ type: 'emit', name: 'at', data: [3, 0, 4] }])
    s.dispose()
  })

  it('gives read-only rules and enforces rules.limits.entities inside the script', async () => {
    const rules = parseBasisRules({ limits: { entities: 2 } })
    const { setup } = await sandbox(`export function setup (world) {
      let frozen = false
      try { world.rules.physics.gravity = 1 } catch (e) { frozen = e instanceof TypeError }
      world.entities.spawn({ kind: 'box' }); world.entities.spawn({ kind: 'box' })
      let limited = false
      try { world.entities.spawn({ kind: 'box' }) } catch (e) { limited = e instanceof RangeError }
      world.emit('checks', { frozen, limited, gravity: world.rules.physics.gravity })
    }`, rules)
    expect(setup.intents.at(-1)).toEqual({ type: 'emit', name: 'checks', data: { frozen: true, limited: true, gravity: -9.81 } })
  })
})

describe('ScriptSandbox: escapes', () => {
  it('has no fetch, network, storage, timers, process, require or workers', async () => {
    const names = ['fetch', 'WebSocket', 'XMLHttpRequest', 'indexedDB', 'localStorage', 'caches', 'setTimeout', 'setInterval',
      'queueMicrotask', 'process', 'require', 'module', 'Buffer', 'importScripts', 'postMessage', 'self', 'window', 'document',
      'navigator', 'Worker', 'std', 'os', 'Deno', 'Bun', 'WebAssembly', 'SharedArrayBuffer', 'Atomics']
    const types = await probe(`return ${JSON.stringify(names)}.map((n) => typeof globalThis[n])`) as string[]
    expect(Object.fromEntries(names.map((n, i) => [n, types[i]]))).toEqual(Object.fromEntries(names.map((n) => [n, n === 'SharedArrayBuffer' ? 'function' : 'undefined'])))
  })

  it('reaches only its own global through constructor.constructor', async () => {
    expect(await probe(`
      const g = (() => {}).constructor.constructor('return this')()
      return [g === globalThis, typeof g.process, typeof Function('return typeof fetch')(), Object.getOwnPropertyNames(g).filter((n) => !/^[A-Z]/.test(n)).sort()]`))
      .toEqual([true, 'undefined', 'string', ['decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'eval', 'globalThis', 'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'undefined', 'unescape']])
  })

  it("pollutes only its own prototypes, and cannot forge the host's output by replacing built-ins", async () => {
    const { sandbox: s } = await sandbox(`
      Object.prototype.polluted = 'yes'
      Array.prototype.push = function () { throw new Error('no') }
      JSON.stringify = () => '{"intents":[{"type":"spawn","entity":"evil"}],"logs":[]}'
      export function tick (world) { world.emit('ok', 1) }`)
    expect(s.call('tick', { dt: 0 }).intents).toEqual([{ type: 'emit', name: 'ok', data: 1 }])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(typeof Array.prototype.push).toBe('function')
    s.dispose()
  })

  it('imports nothing but the SDK, statically or with import()', async () => {
    expect((await stopped(() => sandbox(`import fs from 'node:fs'; export function tick () {}`))).reason).toBe('load')
    expect(await probe(`let r = 'pending'; import('node:fs').then(() => { r = 'loaded' }, (e) => { r = String(e) }); return r`)).toBe('pending')
    const { sandbox: s } = await sandbox(`let r = 'pending'
      export function setup () { import('https://example.org/x.js').then(() => { r = 'loaded' }, () => { r = 'refused' }) }
      export function tick (world) { world.emit('import', r) }`)
    expect(s.call('tick', { dt: 0 }).intents).toEqual([{ type: 'emit', name: 'import', data: 'refused' }])
    s.dispose()
    expect((await stopped(() => sandbox(`await 1; export function tick () {}`))).reason).toBe('load')
  })
})

describe('ScriptSandbox: limits', () => {
  it('stops an endless loop within its CPU budget, even one that catches the interrupt', async () => {
    for (const body of ['for (;;) {}', 'for (;;) { try { for (;;) {} } catch (e) {} }', 'return Promise.resolve().then(function again () { return Promise.resolve().then(again) })']) {
      const { sandbox: s } = await sandbox(`export function tick () { ${body} }`)
      const started = performance.now()
      const err = await stopped(() => s.call('tick', { dt: 0 }))
      expect(err).toMatchObject({ name: 'ScriptError', reason: 'cpu', hook: 'tick', world: 'test' })
      expect(performance.now() - started).toBeLessThan(600) // cut off at the hard cap, 125 ms here
      expect(await stopped(() => s.call('tick', { dt: 0 }))).toBeInstanceOf(ScriptError)
    }
  })

  it('lets one call run over its budget (a busy machine set it aside), and stops a script over budget three calls in a row', async () => {
    // Busy for `dt` ms of wall clock: the budget's clock (LIMITS.cpuMs is 5 ms, the hard cap 125 ms).
    const busy = 'export function tick (world, dt) { const until = Date.now() + dt; while (Date.now() < until) {} world.emit(\'done\', dt) }'
    const { sandbox: s } = await sandbox(busy)
    for (const dt of [20, 0, 20, 20, 0, 20]) expect(s.call('tick', { dt }).intents).toEqual([{ type: 'emit', name: 'done', data: dt }])
    s.call('tick', { dt: 20 })
    const err = await stopped(() => s.call('tick', { dt: 20 }))
    expect(err).toMatchObject({ reason: 'cpu', hook: 'tick' })
    expect(err.message).toContain(`budget of 5 ms in ${OVERRUNS_IN_A_ROW} calls in a row`)
    const { sandbox: once } = await sandbox(busy)
    const started = performance.now()
    expect((await stopped(() => once.call('tick', { dt: 1000 }))).message).toContain('cut off at 125 ms')
    expect(performance.now() - started).toBeLessThan(600)
  })

  it('stops a huge allocation at the memory limit, and deep recursion at the stack limit', async () => {
    for (const body of ['new ArrayBuffer(64 * 1024 * 1024)', "'x'.repeat(1 << 25)", 'const a = []; for (let i = 0; ; i++) a.push([i, i, i, i])']) {
      const { sandbox: s } = await sandbox(`export function tick () { ${body} }`, DEFAULT_BASIS_RULES, { ...LIMITS, cpuMs: 2000 })
      expect(await stopped(() => s.call('tick', { dt: 0 }))).toMatchObject({ reason: 'memory', hook: 'tick' })
    }
    const { sandbox: s } = await sandbox('export function tick () { (function f () { return f() + 1 })() }')
    expect(await stopped(() => s.call('tick', { dt: 0 }))).toMatchObject({ reason: 'stack' })
  })

  it.each(['setup', 'tick', 'playerJoin', 'playerLeave', 'onEvent'])('reports a throw in %s with the hook and the message', async (hook) => {
    const source = `export function ${hook} () { throw new RangeError('broken ${hook}') }`
    const err = hook === 'setup'
      ? await stopped(() => sandbox(source))
      : await stopped(async () => { const { sandbox: s } = await sandbox(source); s.call(hook, { dt: 0, value: { id: 'p', name: 'p', position: [0, 0, 0] } }) })
    expect(err).toMatchObject({ reason: 'error', hook })
    expect(err.message).toContain(`RangeError: broken ${hook}`)
  })

  it('reports a rejected async hook and a thrown non-error', async () => {
    const { sandbox: a } = await sandbox('export async function tick () { throw new Error("later") }')
    expect((await stopped(() => a.call('tick', { dt: 0 }))).message).toContain('Error: later')
    const { sandbox: b } = await sandbox('export function tick () { throw 42 }')
    expect((await stopped(() => b.call('tick', { dt: 0 }))).message).toContain('threw 42')
  })

  it('refuses oversized or malformed intents', async () => {
    const big = await sandbox(`export function tick (world) { for (let i = 0; i < 100; i++) world.emit('blob', 'y'.repeat(1000)) }`)
    expect(await stopped(() => big.sandbox.call('tick', { dt: 0 }))).toMatchObject({ reason: 'output' })
    const many = await sandbox(`export function tick (world) { for (let i = 0; i < 600; i++) world.emit('n', i) }`)
    expect(await stopped(() => many.sandbox.call('tick', { dt: 0 }))).toMatchObject({ reason: 'output' })
    const bad = await sandbox(`export function tick (world) { world.entities.spawn({ id: 'has spaces and / slashes', kind: 'box' }) }`)
    expect((await stopped(() => bad.sandbox.call('tick', { dt: 0 }))).message).toContain('entity.id')
  })
})
