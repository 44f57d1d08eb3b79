import { WORLD_ID_PATTERN } from '@peercompute/signing'
import { z } from 'zod'
import { describeIssue } from '../zodIssue.js'

/** A 3-vector [x, y, z] in metres (y is up). */
export type Vec3 = [number, number, number]

/** A movable prop: a box or sphere with a mass, pushed around by avatars. */
export interface PropDefinition {
  /** Unique within the world. */
  id: string
  shape: 'box' | 'sphere'
  /** Box: full extents; sphere: diameter in each component (the first is used). */
  size: Vec3
  /** Centre, in world coordinates. */
  position: Vec3
  /** kg; 0 makes the prop static. */
  mass: number
  /** #rrggbb */
  color: string
}

/** A doorway to another world: walking into it joins that world (a sub-world, or back to a parent). */
export interface PortalDefinition {
  /** Unique within the world. */
  id: string
  /** The world it leads to (its published id). */
  world: string
  /** Centre of its base, in world coordinates (authored `y`: metres above the ground). */
  position: Vec3
  /** Metres from the centre within which an avatar enters it. */
  radius: number
}

/** Most portals a world may define. */
export const MAX_PORTALS = 64

/** A world's static layout: the overworld bundle's entry file (world.json). */
export interface WorldDefinition {
  terrain: {
    /** Seed of the heightfield noise, an unsigned 32-bit integer. */
    seed: number
    /** Side of the square terrain in metres, centred on the origin. */
    size: number
    /** Vertices per side. */
    resolution: number
    /** Largest height above or below 0, in metres. */
    amplitude: number
  }
  /** Where avatars appear. */
  spawn: Vec3
  props: PropDefinition[]
  /** Doorways to other worlds. @default [] */
  portals?: PortalDefinition[] | undefined
  sky: { color: string }
  fog: { color: string; density: number }
}

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written #rrggbb')
const coordinate = z.number().min(-100_000).max(100_000)
const vec3 = z.tuple([coordinate, coordinate, coordinate])
const extent = z.number().min(0.01).max(100)

/** Most props a world may define. */
export const MAX_PROPS = 2000

/** Zod schema of a {@link WorldDefinition}; unknown fields are refused. */
export const worldDefinitionSchema = z
  .strictObject({
    terrain: z.strictObject({
      seed: z.number().int().min(0).max(0xffffffff),
      size: z.number().min(16).max(4096),
      resolution: z.number().int().min(16).max(513),
      amplitude: z.number().min(0).max(512),
    }),
    spawn: vec3,
    props: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1..64 letters, digits, "_" or "-"'),
          shape: z.enum(['box', 'sphere']),
          size: z.tuple([extent, extent, extent]),
          position: vec3,
          mass: z.number().min(0).max(1_000_000),
          color,
        }),
      )
      .max(MAX_PROPS, `at most ${MAX_PROPS} props`),
    portals: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1..64 letters, digits, "_" or "-"'),
          world: z.string().regex(WORLD_ID_PATTERN, 'must be a world id: 2..63 lowercase letters, digits and "-"'),
          position: vec3,
          radius: z.number().min(0.5).max(10),
        }),
      )
      .max(MAX_PORTALS, `at most ${MAX_PORTALS} portals`)
      .optional(),
    sky: z.strictObject({ color }),
    fog: z.strictObject({ color, density: z.number().min(0).max(1) }),
  })
  .superRefine((w, ctx) => {
    const ids = new Set<string>()
    w.props.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['props', i, 'id'], message: 'another prop has this id' })
      ids.add(p.id)
    })
    const portalIds = new Set<string>()
    w.portals?.forEach((p, i) => {
      if (portalIds.has(p.id)) ctx.addIssue({ code: 'custom', path: ['portals', i, 'id'], message: 'another portal has this id' })
      portalIds.add(p.id)
    })
    const half = w.terrain.size / 2
    if (Math.abs(w.spawn[0]) > half || Math.abs(w.spawn[2]) > half) {
      ctx.addIssue({ code: 'custom', path: ['spawn'], message: 'must lie on the terrain (|x|, |z| <= size / 2)' })
    }
  })

/** A world definition that breaks the schema; `field` is the dotted path of the first problem. */
export class WorldDefinitionError extends Error {
  override name = 'WorldDefinitionError'
  constructor(
    readonly field: string,
    readonly value: string,
    problem: string,
  ) {
    super(`The world definition's ${field} = ${value} is not allowed (${problem}). Fix world.json and build again.`)
  }
}

/** Parses a world definition (world.json) crossing a trust boundary; throws {@link WorldDefinitionError}. */
export function parseWorldDefinition(input: unknown): WorldDefinition {
  const result = worldDefinitionSchema.safeParse(input)
  if (result.success) return result.data
  const { field, value, problem } = describeIssue(result.error, input)
  throw new WorldDefinitionError(field, value, problem)
}
