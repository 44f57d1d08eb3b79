import { sha256Hex } from '@peercompute/signing'
import { MAX_SCRIPT_OUTPUT_BYTES } from '@peercompute/world-sdk'
import type { BasisRules, ScriptEntity, ScriptIntent, ScriptLogEntry, ScriptOutput, ScriptPlayer, WorldEvent } from '@peercompute/world-sdk'
import type { Startable } from '@libp2p/interface'
import type { WorkerPort } from '../../platform/WorkerPort.js'
import { ScriptError } from './ScriptError.js'
import type { ScriptStopReason } from './ScriptError.js'
import { fromScriptWorkerSchema } from './scriptMessages.js'
import type { FromScriptWorker, ScriptCallHook, ToScriptWorker } from './scriptMessages.js'
import type { HookArgument, SandboxLimits } from './ScriptSandbox.js'

export { ScriptError } from './ScriptError.js'
export type { ScriptStopReason } from './ScriptError.js'

/** Options of the script host. */
export interface ScriptHostInit {
  /** Tick each loaded script at its world's rate (rules.physics.timeStep); off: call `tick()`. @default true */
  autoTick?: boolean
  /** How long a hook call may go unanswered before the worker is ended, in ms. @default 2000 */
  watchdogMs?: number
  /** How long loading a script (worker and WASM start included) may take, in ms. @default 10_000 */
  loadTimeoutMs?: number
  /** CPU budget of loading and setup, in ms. @default max(250, 20 × rules.limits.scriptCpuMs) */
  setupCpuMs?: number
  /** Stack of each script, in bytes. @default 256 KiB */
  stackBytes?: number
  /** JSON characters of intents and logs one call may produce. @default MAX_SCRIPT_OUTPUT_BYTES (64 KiB) */
  maxOutputChars?: number
}

/** What the script host needs from the node. */
export interface ScriptHostComponents {
  /** Starts a scripts worker (the platform's `spawnWorker('scripts')`). */
  spawnWorker: () => WorkerPort
  /** The world as the next tick should see it: its players, and entities it reports (physics props). */
  view?: (world: string) => { players: ScriptPlayer[]; entities?: ScriptEntity[] }
  /** The checked intents of each call, for the StateManager to apply. */
  onIntents: (world: string, intents: ScriptIntent[]) => void
  onLog?: (world: string, entry: ScriptLogEntry) => void
  /** Told when a script is stopped; the world goes on without it. */
  onError?: (err: ScriptError) => void
}

/** A world's script, as taken from a verified bundle: its bytes and the hash its manifest lists. */
export interface WorldScriptSource {
  world: string
  source: string | Uint8Array
  /** The SHA-256 (lowercase hex) of the source's UTF-8 bytes, from the bundle's manifest. */
  sha256: string
  /** The world's effective rules. */
  rules: BasisRules
  /** The script's entities the world's document already holds (a host that took over): setup finds them through `entities.get`. */
  entities?: ScriptEntity[]
}

/** One world's script as the host sees it. */
export interface ScriptStatus {
  world: string
  running: boolean
  /** Ticks the script answered. */
  ticks: number
  /** Ticks skipped because the previous one was still running. */
  skipped: number
  /** Wall-clock ms of the latest call, in the worker. */
  lastMs: number
  error: ScriptError | null
}

/** Runs the world scripts of this node, each in its own QuickJS sandbox in a scripts worker. */
export interface ScriptHost extends Startable {
  isStarted(): boolean
  /** Checks the source against its hash and the rules, loads it and runs setup; rejects with ScriptError. */
  load(script: WorldScriptSource): Promise<void>
  unload(world: string): void
  /** Ticks one world's script (or every running one) now; resolves once answered or stopped. */
  tick(world?: string): Promise<void>
  playerJoin(world: string, player: ScriptPlayer): Promise<void>
  playerLeave(world: string, player: ScriptPlayer): Promise<void>
  event(world: string, event: WorldEvent): Promise<void>
  scripts(): ScriptStatus[]
}

interface Script extends ScriptStatus { rules: BasisRules; lastTick: number; busy: boolean }
interface Pending { world: string; sentAt: number; timeoutMs: number; resolve: () => void; reject: (err: ScriptError) => void }
interface PendingLoad extends Pending { rules: BasisRules }

const WATCH_MS = 1000 / 60

class DefaultScriptHost implements ScriptHost {
  private started = false
  private worker: WorkerPort | null = null
  private timer: ReturnType<typeof setInterval> | null = null
  private seq = 0
  private readonly worlds = new Map<string, Script>()
  private readonly calls = new Map<number, Pending>()
  private readonly loads = new Map<string, PendingLoad>()

  constructor (private readonly init: ScriptHostInit, private readonly components: ScriptHostComponents) {}

  isStarted (): boolean { return this.started }

  start (): void { this.started = true }

  stop (): void {
    this.started = false
    this.endWorker('crashed', 'the script host stopped')
    this.worlds.clear()
  }

  async load (script: WorldScriptSource): Promise<void> {
    if (!this.started) throw new Error('Start the script host before loading a script.')
    const { world, rules } = script
    const bytes = typeof script.source === 'string' ? new TextEncoder().encode(script.source) : script.source
    const refuse = (reason: ScriptStopReason, detail: string): never => {
      const err = new ScriptError(world, reason, null, detail)
      this.components.onError?.(err)
      throw err
    }
    if (!rules.permissions.scripts) refuse('forbidden', 'rules.permissions.scripts is false')
    const actual = await sha256Hex(bytes)
    if (actual !== script.sha256.toLowerCase()) refuse('integrity', `its SHA-256 is ${actual}, but its manifest lists ${script.sha256}`)
    let source = ''
    try {
      source = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      refuse('load', 'it is not UTF-8 text')
    }
    this.unload(world)
    const limits: SandboxLimits = {
      cpuMs: rules.limits.scriptCpuMs,
      setupCpuMs: this.init.setupCpuMs ?? Math.max(250, 20 * rules.limits.scriptCpuMs),
      memoryBytes: Math.round(rules.limits.scriptMemoryMiB * 2 ** 20),
      stackBytes: this.init.stackBytes ?? 256 * 1024,
      maxOutputChars: this.init.maxOutputChars ?? MAX_SCRIPT_OUTPUT_BYTES
    }
    const loaded = new Promise<void>((resolve, reject) => {
      this.loads.set(world, { world, rules, sentAt: performance.now(), timeoutMs: this.init.loadTimeoutMs ?? 10_000, resolve, reject })
    })
    this.ensureTimer()
    this.post({ type: 'load', world, source, rules, limits, ...(script.entities === undefined ? {} : { entities: script.entities }) })
    await loaded
  }

  unload (world: string): void {
    const loading = this.loads.get(world)
    if (!this.worlds.delete(world) && loading === undefined) return
    this.post({ type: 'unload', world })
    this.loads.delete(world)
    loading?.reject(new ScriptError(world, 'load', null, 'it was unloaded while loading'))
  }

  async tick (world?: string): Promise<void> {
    const targets = world === undefined ? [...this.worlds.values()] : [this.worlds.get(world)].filter((s) => s !== undefined)
    await Promise.all(targets.map(async (script) => { await this.tickScript(script, performance.now()) }))
  }

  async playerJoin (world: string, player: ScriptPlayer): Promise<void> { await this.call(world, 'playerJoin', { value: player }) }
  async playerLeave (world: string, player: ScriptPlayer): Promise<void> { await this.call(world, 'playerLeave', { value: player }) }
  async event (world: string, event: WorldEvent): Promise<void> { await this.call(world, 'onEvent', { value: event }) }

  scripts (): ScriptStatus[] {
    return [...this.worlds.values()].map(({ world, running, ticks, skipped, lastMs, error }) => ({ world, running, ticks, skipped, lastMs, error }))
  }

  private async tickScript (script: Script, now: number): Promise<void> {
    if (!script.running) return
    if (script.busy) { script.skipped++; return }
    const dt = Math.min(0.25, Math.max(0, (now - script.lastTick) / 1000))
    script.lastTick = now
    script.busy = true
    const view = this.components.view?.(script.world)
    const arg: HookArgument = { dt, players: view?.players ?? [] }
    if (view?.entities !== undefined) arg.entities = view.entities
    try { await this.call(script.world, 'tick', arg) } finally { script.busy = false }
  }

  private async call (world: string, hook: ScriptCallHook, arg: HookArgument): Promise<void> {
    if (this.worlds.get(world)?.running !== true) return
    const seq = ++this.seq
    const done = new Promise<void>((resolve) => {
      this.calls.set(seq, { world, sentAt: performance.now(), timeoutMs: this.init.watchdogMs ?? 2000, resolve, reject: () => { resolve() } })
    })
    this.ensureTimer()
    this.post({ type: 'call', world, seq, hook, arg })
    await done
  }

  private post (msg: ToScriptWorker): void {
    if (this.worker === null) {
      if (msg.type !== 'load') return
      const worker = this.components.spawnWorker()
      worker.onMessage((raw) => { this.onMessage(worker, raw) })
      worker.onError((err) => { if (worker === this.worker) this.endWorker('crashed', err.message) })
      this.worker = worker
    }
    this.worker.postMessage(msg)
  }

  private onMessage (worker: WorkerPort, raw: unknown): void {
    if (worker !== this.worker) return
    const parsed = fromScriptWorkerSchema.safeParse(raw)
    if (!parsed.success) {
      this.endWorker('crashed', `the scripts worker sent a malformed message (${parsed.error.issues[0]?.message ?? ''})`)
      return
    }
    const msg = parsed.data as FromScriptWorker
    if (msg.type === 'loaded') {
      const pending = this.loads.get(msg.world)
      if (pending === undefined) return
      this.loads.delete(msg.world)
      this.worlds.set(msg.world, { world: msg.world, running: true, ticks: 0, skipped: 0, lastMs: msg.ms, error: null, rules: pending.rules, lastTick: performance.now(), busy: false })
      this.deliver(msg.world, msg.output)
      pending.resolve()
    } else if (msg.type === 'done') {
      const script = this.worlds.get(msg.world)
      if (script !== undefined) {
        script.ticks++
        script.lastMs = msg.ms
        this.deliver(msg.world, msg.output)
      }
      this.settle(msg.seq)
    } else {
      this.fail(ScriptError.reported(msg.world, msg.reason, msg.hook, msg.message), msg.seq)
    }
  }

  private deliver (world: string, output: ScriptOutput): void {
    for (const entry of output.logs) this.components.onLog?.(world, entry)
    if (output.intents.length > 0) this.components.onIntents(world, output.intents)
  }

  private settle (seq: number | null): void {
    if (seq === null) return
    this.calls.get(seq)?.resolve()
    this.calls.delete(seq)
  }

  /** Marks a world's script stopped and tells its waiters and the node. */
  private fail (err: ScriptError, seq: number | null): void {
    const script = this.worlds.get(err.world)
    if (script !== undefined) {
      script.running = false
      script.error = err
    }
    const load = this.loads.get(err.world)
    this.loads.delete(err.world)
    this.settle(seq)
    this.components.onError?.(err)
    load?.reject(err)
  }

  /** Ends the worker (hung, crashed, or the host stopped): every script on it is stopped. */
  private endWorker (reason: ScriptStopReason, detail: string): void {
    const worker = this.worker
    this.worker = null
    if (worker !== null) {
      worker.postMessage({ type: 'stop' } satisfies ToScriptWorker)
      worker.terminate()
    }
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    const worlds = new Set([...this.worlds.values()].filter((s) => s.running).map((s) => s.world).concat([...this.loads.keys()]))
    for (const world of worlds) this.fail(new ScriptError(world, reason, null, detail), null)
    for (const pending of this.calls.values()) pending.resolve()
    this.calls.clear()
  }

  private ensureTimer (): void {
    if (this.timer !== null) return
    this.timer = setInterval(this.onTimer, WATCH_MS)
  }

  private readonly onTimer = (): void => {
    const now = performance.now()
    if (this.calls.size === 0 && this.loads.size === 0 && ![...this.worlds.values()].some((s) => s.running)) {
      if (this.timer !== null) clearInterval(this.timer)
      this.timer = null
      return
    }
    for (const pending of [...this.calls.values(), ...this.loads.values()]) {
      if (now - pending.sentAt > pending.timeoutMs) {
        this.endWorker('unresponsive', `the scripts worker did not answer within ${Math.round(pending.timeoutMs)} ms`)
        return
      }
    }
    if (this.init.autoTick === false) return
    for (const script of this.worlds.values()) {
      if (script.running && now - script.lastTick >= script.rules.physics.timeStep * 1000) void this.tickScript(script, now)
    }
  }
}

/**
 * The script host: every world script of this node in QuickJS sandboxes in one scripts worker.
 * Shaped like the other managers: `scriptHost(init)(components)`.
 */
export function scriptHost (init: ScriptHostInit = {}) {
  return (components: ScriptHostComponents): ScriptHost => new DefaultScriptHost(init, components)
}

/**
 * The world script of a verified bundle (`main.js` unless told otherwise) with the hash its
 * manifest lists, or null when the bundle has none.
 */
export function worldScriptFromBundle (
  bundle: { manifest: { id: string; files: readonly { path: string; sha256: string }[] }; files: ReadonlyMap<string, Uint8Array> },
  rules: BasisRules,
  path = 'main.js'
): WorldScriptSource | null {
  const listed = bundle.manifest.files.find((f) => f.path === path)
  const bytes = bundle.files.get(path)
  if (listed === undefined || bytes === undefined) return null
  return { world: bundle.manifest.id, source: bytes, sha256: listed.sha256, rules }
}
