import { z } from 'zod'

/**
 * The world document's root containers. One Loro document per world holds them all, so one
 * version vector, one log and one history cover the whole world.
 */
export const WORLD_CONTAINERS = {
  /** The scene graph: a Loro tree; each node's data map holds the entity's components. */
  scene: 'scene',
  /** Chat lines, appended only. */
  chat: 'chat',
  /** World settings, written by the world's host only. */
  settings: 'settings'
} as const

/** Container ids of the root containers, as Loro's JSON updates name them. */
export const CONTAINER_IDS = {
  scene: 'cid:root-scene:Tree',
  chat: 'cid:root-chat:List',
  settings: 'cid:root-settings:Map'
} as const

const coordinate = z.number().min(-1e6).max(1e6)
const vec3 = z.tuple([coordinate, coordinate, coordinate])
const extent = z.number().positive().max(1000)

/** Where an entity is: position (m), rotation (quaternion x,y,z,w), scale. */
export const transformSchema = z.object({
  position: vec3,
  rotation: z.tuple([z.number().min(-1).max(1), z.number().min(-1).max(1), z.number().min(-1).max(1), z.number().min(-1).max(1)]),
  scale: z.tuple([extent, extent, extent])
})
/** Where an entity is: position (m), rotation (quaternion x,y,z,w), scale. */
export type Transform = z.infer<typeof transformSchema>

/** What a prop looks like and weighs. */
export const propSchema = z.object({
  shape: z.enum(['box', 'sphere']),
  size: z.tuple([extent, extent, extent]),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  mass: z.number().min(0).max(1e6)
})
/** What a prop looks like and weighs. */
export type PropComponent = z.infer<typeof propSchema>

// A string that starts with Loro's container marker would attach a new container; refuse it.
const plainText = (max: number) => z.string().min(1).max(max).regex(/^(?!🦜:)[^\p{Cc}]*$/u)

/** JSON with no string that Loro would take for a container reference. */
function plainJson(value: unknown): boolean {
  if (typeof value === 'string') return !value.startsWith('🦜:')
  if (Array.isArray(value)) return value.every(plainJson)
  if (value != null && typeof value === 'object') return Object.values(value).every(plainJson)
  return true
}

/** Data a world script keeps on an entity (a scoreboard's text and score): JSON, at most 4 KiB. */
export const entityDataSchema = z.record(z.string().min(1).max(64), z.json())
  .refine((v) => JSON.stringify(v).length <= 4096, { message: 'entity data is at most 4 KiB of JSON' })
  .refine(plainJson, { message: 'entity data may not hold container references' })
/** Data a world script keeps on an entity. */
export type EntityData = z.infer<typeof entityDataSchema>

/** The components an entity's data map may hold, each checked when it arrives. */
export const componentSchemas = {
  name: plainText(64),
  owner: plainText(128),
  transform: transformSchema,
  prop: propSchema,
  data: entityDataSchema
} as const
/** A component key. */
export type ComponentKey = keyof typeof componentSchemas

/** World settings the host may set. */
export const settingSchemas = {
  title: plainText(64),
  motd: plainText(280),
  storageMode: z.enum(['local', 'propagate']),
  locked: z.boolean()
} as const
/** A world settings key. */
export type SettingKey = keyof typeof settingSchemas
/** World settings as read. */
export type WorldSettings = { [K in SettingKey]?: z.infer<(typeof settingSchemas)[K]> }

/** An entity as managers read it. */
export interface EntityView {
  /** The scene-graph node id (Loro TreeID, `counter@peer`). */
  id: string
  /** The parent entity, or null at the top of the scene. */
  parent: string | null
  name: string | null
  /** peerId of the player who placed it. */
  owner: string | null
  transform: Transform | null
  prop: PropComponent | null
  /** Data its world's script keeps on it (`entities.update`), or null. */
  data: EntityData | null
}

/** What `placeProp` takes. */
export interface PlacePropInit {
  prop: PropComponent
  position: [number, number, number]
  rotation?: [number, number, number, number]
  scale?: [number, number, number]
  name?: string
  /** Parent entity in the scene graph. @default top level */
  parent?: string
}

/** Checks one component value; returns it parsed or null. */
export function parseComponent(key: string, value: unknown): unknown {
  const schema = (componentSchemas as Record<string, z.ZodType>)[key]
  if (schema == null) return null
  const parsed = schema.safeParse(value)
  return parsed.success ? parsed.data : null
}

/** Checks one setting value; returns it parsed or null. */
export function parseSetting(key: string, value: unknown): unknown {
  const schema = (settingSchemas as Record<string, z.ZodType>)[key]
  if (schema == null) return null
  const parsed = schema.safeParse(value)
  return parsed.success ? parsed.data : null
}
