import { basisRulesSchema, scriptEntitySchema, scriptOutputSchema } from '@peercompute/world-sdk'
import type { BasisRules, ScriptEntity, ScriptOutput } from '@peercompute/world-sdk'
import { z } from 'zod'
import { SCRIPT_STOP_REASONS } from './ScriptError.js'
import type { ScriptStopReason } from './ScriptError.js'
import type { HookArgument, SandboxLimits } from './ScriptSandbox.js'

/** The hooks a host calls after setup. */
export type ScriptCallHook = 'tick' | 'playerJoin' | 'playerLeave' | 'onEvent'

/** Messages from the ScriptHost to the scripts worker (structured clone). */
export type ToScriptWorker =
  | { type: 'load'; world: string; source: string; rules: BasisRules; limits: SandboxLimits; entities?: ScriptEntity[] }
  | { type: 'call'; world: string; seq: number; hook: ScriptCallHook; arg: HookArgument }
  | { type: 'unload'; world: string }
  | { type: 'stop' }

/** Messages from the scripts worker to the ScriptHost. */
export type FromScriptWorker =
  | { type: 'loaded'; world: string; output: ScriptOutput; ms: number }
  | { type: 'done'; world: string; seq: number; output: ScriptOutput; ms: number }
  | { type: 'stopped'; world: string; seq: number | null; reason: ScriptStopReason; hook: string | null; message: string }

const world = z.string().min(1).max(64)
const limits = z.strictObject({
  cpuMs: z.number().positive(),
  setupCpuMs: z.number().positive(),
  memoryBytes: z.number().int().positive(),
  stackBytes: z.number().int().positive(),
  maxOutputChars: z.number().int().positive()
})

/** What the worker accepts. */
export const toScriptWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('load'), world, source: z.string().max(4 * 2 ** 20), rules: basisRulesSchema, limits, entities: z.array(scriptEntitySchema).max(10_000).optional() }),
  z.strictObject({
    type: z.literal('call'),
    world,
    seq: z.number().int(),
    hook: z.enum(['tick', 'playerJoin', 'playerLeave', 'onEvent']),
    arg: z.strictObject({ dt: z.number().optional(), players: z.array(z.unknown()).optional(), entities: z.array(z.unknown()).optional(), value: z.unknown().optional() })
  }),
  z.strictObject({ type: z.literal('unload'), world }),
  z.strictObject({ type: z.literal('stop') })
])

/** What the host accepts from the worker: the sandbox's output is checked again at this boundary. */
export const fromScriptWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('loaded'), world, output: scriptOutputSchema, ms: z.number() }),
  z.strictObject({ type: z.literal('done'), world, seq: z.number().int(), output: scriptOutputSchema, ms: z.number() }),
  z.strictObject({
    type: z.literal('stopped'),
    world,
    seq: z.number().int().nullable(),
    reason: z.enum(SCRIPT_STOP_REASONS as [ScriptStopReason, ...ScriptStopReason[]]),
    hook: z.string().nullable(),
    message: z.string().max(2000)
  })
])
