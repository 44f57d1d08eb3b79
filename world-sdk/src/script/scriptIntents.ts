import { z } from 'zod'

/** Any JSON value: what crosses out of a world script. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** [x, y, z] in metres. */
export type ScriptVec3 = [number, number, number]
/** A rotation quaternion [x, y, z, w]. */
export type ScriptQuat = [number, number, number, number]

/** An entity as a world script sees and makes it. */
export interface ScriptEntity {
  /** Unique in the world: 1-64 letters, digits, '-', '_', ':' or '.'. */
  id: string
  /** What it is, for renderers and physics: 'box', 'sphere', 'text', 'marker', 'prop', ... */
  kind: string
  position: ScriptVec3
  rotation: ScriptQuat
  /** The entity's own data (colour, text, score, ...). */
  data: Record<string, JsonValue>
}

/** A player as a world script sees them. */
export interface ScriptPlayer {
  /** The player's peer id. */
  id: string
  name: string
  position: ScriptVec3
}

/** An event from a player, another system, or a script's own `emit`. */
export interface WorldEvent {
  name: string
  /** The peer id of the player it came from, if any. */
  from?: string
  data: JsonValue
}

/**
 * What a script asks the world to do. Scripts never write world state: the host checks each
 * intent (size, shape, the world's limits) and the StateManager applies it.
 */
export type ScriptIntent =
  | { type: 'spawn'; entity: ScriptEntity }
  | { type: 'move'; id: string; position: ScriptVec3; rotation?: ScriptQuat }
  | { type: 'update'; id: string; data: Record<string, JsonValue> }
  | { type: 'remove'; id: string }
  | { type: 'emit'; name: string; data: JsonValue }
  | { type: 'task'; name: string; task: ScriptTask }

/**
 * A compute task a world script submits (`world.submitTask`): a built-in CPU kernel or a WGSL
 * shader, which runs only if the world's signed bundle lists it (compute/), split over the host and
 * its peers when `split` is given. Input and output are numbers, read as u32 or f32 (`array`).
 */
export type ScriptTask = (
  | { type: 'cpu'; kernel: string }
  | { type: 'webgpu'; shader: string; outputLength: number; workgroups: number }
) & {
  array: 'u32' | 'f32'
  input: number[]
  /** Spread over peers: the input's words 0 and 1 are each chunk's first unit and count (a 'range' task). */
  split?: { units: number; unitsPerChunk: number; outputPerUnit: number }
}

/** Numbers a script task takes in, and gives back to the script. */
export const MAX_SCRIPT_TASK_ELEMENTS = 4096

/** A line a script logged. */
export interface ScriptLogEntry {
  level: 'info' | 'warn' | 'error'
  message: string
}

/** Most intents one hook call may produce. */
export const MAX_INTENTS_PER_CALL = 512
/** Most bytes (JSON) of intents and logs one hook call may produce. */
export const MAX_SCRIPT_OUTPUT_BYTES = 64 * 1024
/** Most characters of one log line (longer ones are cut). */
export const MAX_LOG_LENGTH = 1000

const finite = z.number().finite()
const vec3 = z.tuple([finite, finite, finite])
const quat = z.tuple([finite, finite, finite, finite])
const entityId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, "-", "_", ":" or "."')
const name = z.string().min(1).max(64)
const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), finite, z.string().max(4096), z.array(json).max(256), z.record(z.string().max(64), json)]),
)
const data = z.record(z.string().max(64), json)
const count = z.number().int().min(1).max(MAX_SCRIPT_TASK_ELEMENTS)
const taskCommon = {
  array: z.enum(['u32', 'f32']),
  input: z.array(finite).min(1).max(MAX_SCRIPT_TASK_ELEMENTS),
  split: z.strictObject({ units: z.number().int().min(1).max(1 << 20), unitsPerChunk: z.number().int().min(1), outputPerUnit: z.number().int().min(1) }).optional(),
}

/** Zod schema of an entity as scripts see it. */
export const scriptEntitySchema = z.strictObject({ id: entityId, kind: name, position: vec3, rotation: quat, data })

/** Zod schema of one intent: what the host accepts from a script, nothing more. */
export const scriptIntentSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('spawn'), entity: scriptEntitySchema }),
  z.strictObject({ type: z.literal('move'), id: entityId, position: vec3, rotation: quat.optional() }),
  z.strictObject({ type: z.literal('update'), id: entityId, data }),
  z.strictObject({ type: z.literal('remove'), id: entityId }),
  z.strictObject({ type: z.literal('emit'), name, data: json }),
  z.strictObject({ type: z.literal('task'), name, task: z.union([
    z.strictObject({ type: z.literal('cpu'), kernel: name, ...taskCommon }),
    z.strictObject({ type: z.literal('webgpu'), shader: z.string().min(1).max(48 * 1024), outputLength: count, workgroups: z.number().int().min(1).max(65535), ...taskCommon }),
  ]) }),
]) as z.ZodType<ScriptIntent>

/** Zod schema of what one hook call produced. */
export const scriptOutputSchema = z.strictObject({
  intents: z.array(scriptIntentSchema).max(MAX_INTENTS_PER_CALL),
  logs: z.array(z.strictObject({ level: z.enum(['info', 'warn', 'error']), message: z.string().max(MAX_LOG_LENGTH) })).max(64),
})

/** What one hook call produced. */
export interface ScriptOutput {
  intents: ScriptIntent[]
  logs: ScriptLogEntry[]
}

/** Zod schema of a player as scripts see them. */
export const scriptPlayerSchema = z.strictObject({ id: z.string().min(1).max(128), name: z.string().max(64), position: vec3 })

/** Zod schema of an event delivered to `onEvent`. */
export const worldEventSchema = z.strictObject({ name, from: z.string().max(128).optional(), data: json })
