import variant from '@jitl/quickjs-wasmfile-release-sync'
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core'
import type { QuickJSWASMModule } from 'quickjs-emscripten-core'
import type { WorkerScope } from '../../platform/WorkerPort.js'
import { ScriptError } from './ScriptError.js'
import { ScriptSandbox } from './ScriptSandbox.js'
import { toScriptWorkerSchema } from './scriptMessages.js'
import type { FromScriptWorker, ToScriptWorker } from './scriptMessages.js'

export type { WorkerScope } from '../../platform/WorkerPort.js'
export type { FromScriptWorker, ToScriptWorker } from './scriptMessages.js'

/** Makes a fresh QuickJS WASM module (one per world script, so each has memory of its own). */
export type QuickJSLoader = () => Promise<QuickJSWASMModule>

/**
 * Loads the QuickJS build with a separate .wasm file: Node reads it from the package, a browser
 * worker fetches it beside the module (bundlers such as Vite rewrite that URL).
 */
export const loadQuickJS: QuickJSLoader = async () =>
  // The package's types are CommonJS-shaped; its ESM entry's default export is the variant itself.
  await newQuickJSWASMModuleFromVariant(variant as unknown as Parameters<typeof newQuickJSWASMModuleFromVariant>[0])

/**
 * The scripts worker's body, shared by the browser and Node worker entries. It holds one
 * {@link ScriptSandbox} per world and handles messages strictly in order. A script that fails is
 * dropped and reported (`stopped`); the others, and the worker, go on.
 */
export function runScriptWorker (scope: WorkerScope, quickJS: QuickJSLoader = loadQuickJS): void {
  const sandboxes = new Map<string, ScriptSandbox>()
  let queue = Promise.resolve()
  let stopped = false

  const post = (msg: FromScriptWorker): void => { scope.postMessage(msg) }
  const report = (err: unknown, world: string, seq: number | null, hook: string | null): void => {
    const e = err instanceof ScriptError ? err : new ScriptError(world, 'crashed', hook, err instanceof Error ? `${err.name}: ${err.message}` : String(err))
    post({ type: 'stopped', world, seq, reason: e.reason, hook: e.hook, message: e.message })
  }

  const handle = async (msg: ToScriptWorker): Promise<void> => {
    if (stopped) return
    if (msg.type === 'load') {
      sandboxes.get(msg.world)?.dispose()
      sandboxes.delete(msg.world)
      const started = performance.now()
      try {
        const module = await quickJS()
        const { sandbox, setup } = ScriptSandbox.create(module, msg)
        sandboxes.set(msg.world, sandbox)
        post({ type: 'loaded', world: msg.world, output: setup, ms: performance.now() - started })
      } catch (err) {
        report(err, msg.world, null, null)
      }
    } else if (msg.type === 'call') {
      const sandbox = sandboxes.get(msg.world)
      if (sandbox === undefined) {
        post({ type: 'stopped', world: msg.world, seq: msg.seq, reason: 'error', hook: msg.hook, message: `No script is loaded for world '${msg.world}'.` })
        return
      }
      const started = performance.now()
      try {
        const output = sandbox.call(msg.hook, msg.arg)
        post({ type: 'done', world: msg.world, seq: msg.seq, output, ms: performance.now() - started })
      } catch (err) {
        sandbox.dispose()
        sandboxes.delete(msg.world)
        report(err, msg.world, msg.seq, msg.hook)
      }
    } else if (msg.type === 'unload') {
      sandboxes.get(msg.world)?.dispose()
      sandboxes.delete(msg.world)
    } else {
      stopped = true
      for (const sandbox of sandboxes.values()) sandbox.dispose()
      sandboxes.clear()
      scope.close()
    }
  }

  scope.onMessage((raw) => {
    const parsed = toScriptWorkerSchema.safeParse(raw)
    if (!parsed.success) {
      const world = typeof (raw as { world?: unknown } | null)?.world === 'string' ? (raw as { world: string }).world : 'unknown'
      post({ type: 'stopped', world, seq: null, reason: 'crashed', hook: null, message: `Refused a malformed scripts message: ${parsed.error.issues[0]?.message ?? ''}` })
      return
    }
    const msg = parsed.data as ToScriptWorker
    queue = queue.then(async () => { await handle(msg) }, async () => { await handle(msg) })
  })
}
