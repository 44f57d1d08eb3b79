/**
 * Why a world's script was stopped or never started:
 * - `cpu`: a hook ran past its CPU budget (rules.limits.scriptCpuMs per tick)
 * - `memory`: it ran out of its memory (rules.limits.scriptMemoryMiB)
 * - `stack`: it recursed too deep
 * - `error`: a hook threw (or its promise rejected)
 * - `output`: a hook produced too many or malformed intents
 * - `load`: the script does not compile, imports something other than the SDK, or has no hooks
 * - `integrity`: its bytes do not match the hash in the bundle's manifest
 * - `forbidden`: the world's rules do not allow scripts (rules.permissions.scripts)
 * - `unresponsive`: the script worker did not answer in time and was ended
 * - `crashed`: the script worker failed
 */
export type ScriptStopReason = 'cpu' | 'memory' | 'stack' | 'error' | 'output' | 'load' | 'integrity' | 'forbidden' | 'unresponsive' | 'crashed'

export const SCRIPT_STOP_REASONS: readonly ScriptStopReason[] = ['cpu', 'memory', 'stack', 'error', 'output', 'load', 'integrity', 'forbidden', 'unresponsive', 'crashed']

const ADVICE: Record<ScriptStopReason, string> = {
  cpu: 'Make the hook do less per call (the budget is rules.limits.scriptCpuMs), then publish a new version.',
  memory: 'Keep less in memory (the limit is rules.limits.scriptMemoryMiB), then publish a new version.',
  stack: 'Recurse less deeply, then publish a new version.',
  error: 'Fix the error in the world script, then publish a new version.',
  output: 'Make fewer or smaller changes per call, then publish a new version.',
  load: "Fix the script (it may import only '@peercompute/world-sdk' and must export its hooks), then publish a new version.",
  integrity: 'The script was altered after signing; get the bundle again from its publisher.',
  forbidden: 'This world may not run scripts (rules.permissions.scripts is false in its chain).',
  unresponsive: 'The script worker did not answer and was ended; the world runs on without scripts.',
  crashed: 'The script worker failed; the world runs on without scripts.',
}

/** A world's script stopped (or was refused); the world itself keeps running. */
export class ScriptError extends Error {
  override name = 'ScriptError'
  constructor (
    readonly world: string,
    readonly reason: ScriptStopReason,
    /** The hook that was running, or null outside hooks (loading). */
    readonly hook: string | null,
    detail: string
  ) {
    super(`The script of world '${world}' was stopped${hook === null ? '' : ` in ${hook}`} (${reason}): ${detail}. ${ADVICE[reason]}`)
  }

  /** The error a worker reported, with the message it wrote. */
  static reported (world: string, reason: ScriptStopReason, hook: string | null, message: string): ScriptError {
    const err = new ScriptError(world, reason, hook, '')
    err.message = message
    return err
  }
}
