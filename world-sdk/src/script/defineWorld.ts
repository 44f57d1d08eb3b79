import type { BasisRules } from '../rules/basisRules.js'
import type { JsonValue, ScriptEntity, ScriptPlayer, ScriptQuat, ScriptTask, ScriptVec3, WorldEvent } from './scriptIntents.js'

/** What `entities.spawn` takes: everything but `kind` has a default. */
export interface EntityInit {
  /** @default a fresh id ('e1', 'e2', ...) */
  id?: string
  kind: string
  /** @default [0, 0, 0] */
  position?: ScriptVec3
  /** @default [0, 0, 0, 1] */
  rotation?: ScriptQuat
  /** @default {} */
  data?: Record<string, JsonValue>
}

/** The world's entities as the script sees them; every change becomes an intent for the host. */
export interface ScriptEntities {
  /** Makes an entity; returns its id. Throws a RangeError past rules.limits.entities. */
  spawn(init: EntityInit): string
  /** Moves an entity (the script's own or one the world reports, such as a physics prop). */
  move(id: string, position: ScriptVec3, rotation?: ScriptQuat): void
  /** Merges `data` into an entity's data. */
  update(id: string, data: Record<string, JsonValue>): void
  remove(id: string): void
  /** A copy of one entity, or undefined. */
  get(id: string): ScriptEntity | undefined
  /** Copies of every entity the script knows: its own and those the world reports. */
  list(): ScriptEntity[]
}

/**
 * The whole API a world script sees. There is nothing else in its sandbox: no DOM, network,
 * storage or timers; ECMAScript built-ins only.
 */
export interface WorldApi {
  /** The world's id. */
  readonly id: string
  /** The world's effective rules, frozen. */
  readonly rules: Readonly<BasisRules>
  readonly entities: ScriptEntities
  /** Players in the world now. */
  players(): ScriptPlayer[]
  /**
   * Submits a compute task (a kernel or shader the world's signed bundle lists) to the host, which
   * runs it on its workers and its peers'. The result comes back as an event to `onEvent`:
   * `{ name: 'task:<name>', data: { ok: true, output: number[], device, ms, peers } }`, or
   * `{ ok: false, error }` (code not listed, no device, deadline, output over 4,096 numbers).
   */
  submitTask(name: string, task: ScriptTask): void
  /** Sends an event to the world's players (as an `emit` intent). */
  emit(name: string, data?: JsonValue): void
  /** Logs a line to the host (cut at 1,000 characters). */
  log(...args: unknown[]): void
  /** Seconds of world time since setup. */
  time(): number
}

/** The hooks of a world script; each is optional. */
export interface WorldScript {
  /** Once, when the host loads the world. */
  setup?(world: WorldApi): void
  /** Each tick at the world's rate; `dt` in seconds. */
  tick?(world: WorldApi, dt: number): void
  playerJoin?(world: WorldApi, player: ScriptPlayer): void
  playerLeave?(world: WorldApi, player: ScriptPlayer): void
  onEvent?(world: WorldApi, event: WorldEvent): void
}

/** The names of a world script's hooks. */
export type WorldScriptHook = keyof WorldScript

/** The hooks a host calls, in the order of a world's life. */
export const WORLD_SCRIPT_HOOKS: readonly WorldScriptHook[] = ['setup', 'tick', 'playerJoin', 'playerLeave', 'onEvent']

/**
 * Declares a world script: `export default defineWorld({ setup, tick, ... })` in the world's
 * main.js. In the sandbox the host provides this function; here it only gives the types.
 */
export function defineWorld(script: WorldScript): WorldScript {
  return script
}
