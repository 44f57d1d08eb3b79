import { scriptOutputSchema } from '@peercompute/world-sdk'
import type { BasisRules, ScriptEntity, ScriptOutput } from '@peercompute/world-sdk'
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core'
import { ScriptError } from './ScriptError.js'
import type { ScriptStopReason } from './ScriptError.js'
import { SANDBOX_PRELUDE, SDK_MODULE_NAME, SDK_MODULE_SOURCE } from './sandboxPrelude.js'

/** The limits one world's script runs under. */
export interface SandboxLimits {
  /** CPU budget of one hook call, in ms (rules.limits.scriptCpuMs). */
  cpuMs: number
  /** CPU budget of loading the script and its setup hook, in ms. */
  setupCpuMs: number
  /** Memory of the script's QuickJS runtime, in bytes (rules.limits.scriptMemoryMiB). */
  memoryBytes: number
  /** Stack of the script's QuickJS runtime, in bytes. */
  stackBytes: number
  /** Characters of JSON (intents and logs) one hook call may produce. */
  maxOutputChars: number
}

/** What a hook is given besides the world API: the world as it is now, and the hook's argument. */
export interface HookArgument {
  dt?: number
  players?: unknown[]
  entities?: unknown[]
  value?: unknown
}

// Time a failing script gets to describe its error (its getters run in the sandbox).
const DESCRIBE_GRACE_MS = 5

/**
 * How the per-call budget is enforced. The clock is the wall clock (a worker has no clock of its own
 * CPU time), so a call the OS set aside for a moment on a busy machine looks like an overrun: one
 * call over budget is allowed, a script over budget this many calls in a row is stopped, and the
 * interrupt handler cuts a call off outright at {@link HARD_CAP_FACTOR} times the budget (at least
 * {@link HARD_CAP_MIN_MS}): an endless loop is stopped on its first call.
 */
export const OVERRUNS_IN_A_ROW = 3
export const HARD_CAP_FACTOR = 25
export const HARD_CAP_MIN_MS = 100

/**
 * One world's script in its own QuickJS runtime and context, on its own QuickJS WASM module (so
 * its memory is its own). The script is evaluated as an ES module that may import only
 * `@peercompute/world-sdk`. Every call runs under a CPU budget ({@link OVERRUNS_IN_A_ROW}), a memory
 * limit and a stack limit; a call that fails disposes the sandbox and throws {@link ScriptError}.
 */
/** The CPU deadline the interrupt handler enforces, and whether it fired. */
interface Clock { deadline: number; interrupted: boolean }

export class ScriptSandbox {
  private disposed = false
  private readonly handles: QuickJSHandle[] = []
  /** Calls in a row (setup aside) that ran past the budget. */
  private overruns = 0

  private constructor (
    readonly world: string,
    private readonly limits: SandboxLimits,
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private readonly clock: Clock,
    private readonly fns: { init: QuickJSHandle; define: QuickJSHandle; run: QuickJSHandle; drain: QuickJSHandle }
  ) {
    this.handles.push(fns.init, fns.define, fns.run, fns.drain)
  }

  /**
   * Loads `source` for `world` and runs its setup hook, which finds `entities` (those the world's
   * document already holds, for a host that took over) through `entities.get`; throws ScriptError
   * (reason 'load' or the hook's).
   */
  static create (module: QuickJSWASMModule, init: { world: string; source: string; rules: BasisRules; limits: SandboxLimits; entities?: ScriptEntity[] | undefined }): { sandbox: ScriptSandbox; setup: ScriptOutput } {
    const runtime = module.newRuntime()
    runtime.setMemoryLimit(init.limits.memoryBytes)
    runtime.setMaxStackSize(init.limits.stackBytes)
    runtime.setModuleLoader(
      (name) => name === SDK_MODULE_NAME ? SDK_MODULE_SOURCE : { error: new Error(`A world script may import only '${SDK_MODULE_NAME}', not '${name}'.`) },
      (_base, name) => name === SDK_MODULE_NAME ? name : { error: new Error(`A world script may import only '${SDK_MODULE_NAME}', not '${name}'.`) }
    )
    const context = runtime.newContext()
    // The prelude is the host's own code: no deadline until the world's script starts.
    const clock: Clock = { deadline: Infinity, interrupted: false }
    runtime.setInterruptHandler(() => {
      if (performance.now() <= clock.deadline) return false
      clock.interrupted = true
      return true
    })
    const fail = (reason: ScriptStopReason, detail: string): never => {
      try { context.dispose(); runtime.dispose() } catch { /* the module is dropped with this sandbox */ }
      throw new ScriptError(init.world, reason, null, detail)
    }
    const prelude = context.evalCode(SANDBOX_PRELUDE, 'sdk-prelude.js', { type: 'global', strict: true })
    if (prelude.error !== undefined) {
      prelude.error.dispose()
      return fail('crashed', 'the SDK prelude did not start')
    }
    const fns = {
      init: context.getProp(prelude.value, 'init'),
      define: context.getProp(prelude.value, 'define'),
      run: context.getProp(prelude.value, 'run'),
      drain: context.getProp(prelude.value, 'drain')
    }
    prelude.value.dispose()
    const sandbox: ScriptSandbox = new ScriptSandbox(init.world, init.limits, runtime, context, clock, fns)
    const config = JSON.stringify({ id: init.world, rules: init.rules, maxEntities: init.rules.limits.entities })
    sandbox.callFn(fns.init, [config], null)
    clock.deadline = performance.now() + init.limits.setupCpuMs

    const evaluated = context.evalCode(init.source, 'main.js', { type: 'module', strict: true })
    if (evaluated.error !== undefined) sandbox.failWith(evaluated.error, null, 'load')
    const namespace = evaluated.value
    const state = context.getPromiseState(namespace)
    if (state.type !== 'fulfilled' || state.notAPromise !== true) {
      // A module with top-level await evaluates to a promise; the sandbox has no event loop to wait on.
      if (state.type === 'fulfilled') state.value.dispose()
      if (state.type === 'rejected') state.error.dispose()
      namespace.dispose()
      sandbox.stop('load', null, 'top-level await is not allowed in a world script')
    }
    const defined = context.callFunction(fns.define, context.undefined, namespace)
    namespace.dispose()
    if (defined.error !== undefined) sandbox.failWith(defined.error, null, 'load')
    else defined.value.dispose()
    const setup = sandbox.call('setup', init.entities === undefined ? {} : { entities: init.entities })
    return { sandbox, setup }
  }

  /** Runs `hook` (it is skipped when the script has none) and returns the intents and logs it made. */
  call (hook: string, arg: HookArgument): ScriptOutput {
    if (this.disposed) throw new ScriptError(this.world, 'error', hook, 'the script was stopped earlier')
    const started = performance.now()
    this.clock.deadline = started + this.capMs(hook)
    this.clock.interrupted = false
    this.callFn(this.fns.run, [hook, JSON.stringify(arg)], hook)
    const jobs = this.runtime.executePendingJobs()
    if (jobs.error !== undefined) this.failWith(jobs.error, hook)
    // An interrupt inside a promise job rejects that job's promise rather than failing the run: the
    // chain ends quietly, so the budget is checked here too (an endless `.then` chain is a runaway).
    if (this.clock.interrupted) return this.stop('cpu', hook, this.overrunDetail(hook))
    if (hook !== 'setup') {
      const took = performance.now() - started
      this.overruns = took > this.limits.cpuMs ? this.overruns + 1 : 0
      if (this.overruns >= OVERRUNS_IN_A_ROW) {
        return this.stop('cpu', hook, `it ran past its budget of ${this.limits.cpuMs} ms in ${OVERRUNS_IN_A_ROW} calls in a row (the last took ${took.toFixed(1)} ms)`)
      }
    }
    const drained = this.context.callFunction(this.fns.drain, this.context.undefined)
    if (drained.error !== undefined) this.failWith(drained.error, hook)
    const handle = drained.value as QuickJSHandle
    const text = this.context.typeof(handle) === 'string' ? this.readBounded(handle) : null
    handle.dispose()
    if (text === null) return this.stop('output', hook, `it produced more than ${this.limits.maxOutputChars} characters of intents and logs in one call`)
    const parsed = scriptOutputSchema.safeParse(JSON.parse(text))
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return this.stop('output', hook, `it produced an intent the host refuses (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'malformed'})`)
    }
    return parsed.data as ScriptOutput
  }

  /** Frees the script's runtime. Safe to call twice. */
  dispose (): void {
    if (this.disposed) return
    this.disposed = true
    try {
      for (const h of this.handles) if (h.alive) h.dispose()
      this.context.dispose()
      this.runtime.dispose()
    } catch {
      // A runtime left in a bad state by the script: its whole WASM module is dropped with us.
    }
  }

  /** When the interrupt handler cuts `hook` off, in ms after it started: setup's own budget, else the hard cap. */
  private capMs (hook: string | null): number {
    return hook === 'setup' || hook === null ? this.limits.setupCpuMs : Math.max(HARD_CAP_MIN_MS, HARD_CAP_FACTOR * this.limits.cpuMs)
  }

  private overrunDetail (hook: string | null): string {
    return hook === 'setup' || hook === null
      ? `it ran past its budget of ${this.limits.setupCpuMs} ms`
      : `it ran past its budget of ${this.limits.cpuMs} ms and was cut off at ${this.capMs(hook)} ms`
  }

  private readBounded (handle: QuickJSHandle): string | null {
    const length = this.context.getProp(handle, 'length')
    const n = this.context.getNumber(length)
    length.dispose()
    return n > this.limits.maxOutputChars ? null : this.context.getString(handle)
  }

  private callFn (fn: QuickJSHandle, args: string[], hook: string | null): void {
    const handles = args.map((a) => this.context.newString(a))
    const result = this.context.callFunction(fn, this.context.undefined, ...handles)
    for (const h of handles) h.dispose()
    if (result.error !== undefined) this.failWith(result.error, hook)
    else result.value.dispose()
  }

  /** Describes the thrown value, disposes the sandbox and throws the ScriptError. */
  private failWith (error: QuickJSHandle, hook: string | null, fallback: ScriptStopReason = 'error'): never {
    const interrupted = this.clock.interrupted
    this.clock.deadline = performance.now() + DESCRIBE_GRACE_MS
    this.clock.interrupted = false
    let name = ''
    let message: string
    try {
      const dumped = this.context.dump(error) as unknown
      if (dumped !== null && typeof dumped === 'object') {
        const d = dumped as { name?: unknown; message?: unknown }
        name = String(d.name ?? '')
        message = String(d.message ?? '')
      } else {
        message = `threw ${String(dumped)}`
      }
    } catch {
      message = 'threw a value that could not be read'
    }
    if (error.alive) error.dispose()
    message = message.slice(0, 300)
    if (interrupted || message === 'interrupted') return this.stop('cpu', hook, this.overrunDetail(hook))
    if (name === 'InternalError' && message === 'out of memory') return this.stop('memory', hook, `it needed more than ${this.limits.memoryBytes / 2 ** 20} MiB`)
    if (name === 'InternalError' && message === 'stack overflow') return this.stop('stack', hook, 'its stack overflowed')
    return this.stop(fallback, hook, name === '' ? message : `${name}: ${message}`)
  }

  private stop (reason: ScriptStopReason, hook: string | null, detail: string): never {
    this.dispose()
    throw new ScriptError(this.world, reason, hook, detail)
  }
}
