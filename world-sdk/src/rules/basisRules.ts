import { z } from 'zod'
import { describeIssue } from '../zodIssue.js'

/**
 * The laws a world runs under. Each world's bundle gives a partial set; missing fields take the
 * defaults ({@link DEFAULT_BASIS_RULES}).
 */
export interface BasisRules {
  physics: {
    /** m/s², negative is down. @default -9.81 */
    gravity: number
    /** Fixed physics step in seconds. @default 1/60 */
    timeStep: number
  }
  movement: {
    /** m/s. @default 4 */
    walkSpeed: number
    /** m/s. @default 7 */
    runSpeed: number
    /** m/s upwards at the start of a jump. @default 5 */
    jumpSpeed: number
    /** Whether avatars may fly. @default false */
    fly: boolean
  }
  avatars: {
    /** @default 0.5 */
    minScale: number
    /** @default 2 */
    maxScale: number
  }
  chat: {
    /** @default true */
    enabled: boolean
    /** Characters per message. @default 280 */
    maxLength: number
    /** Messages per player per minute. @default 30 */
    perMinute: number
  }
  limits: {
    /** @default 64 */
    players: number
    /** @default 10_000 */
    entities: number
  }
}

/** The rules of a world that sets none. */
export const DEFAULT_BASIS_RULES: BasisRules = Object.freeze({
  physics: Object.freeze({ gravity: -9.81, timeStep: 1 / 60 }),
  movement: Object.freeze({ walkSpeed: 4, runSpeed: 7, jumpSpeed: 5, fly: false }),
  avatars: Object.freeze({ minScale: 0.5, maxScale: 2 }),
  chat: Object.freeze({ enabled: true, maxLength: 280, perMinute: 30 }),
  limits: Object.freeze({ players: 64, entities: 10_000 }),
}) as BasisRules

const d = DEFAULT_BASIS_RULES
const num = (min: number, max: number, fallback: number) => z.number().min(min).max(max).default(fallback)
const int = (min: number, max: number, fallback: number) => z.number().int().min(min).max(max).default(fallback)

/** Zod schema of (partial) basis rules: unknown fields are refused, missing ones filled with defaults. */
export const basisRulesSchema = z
  .strictObject({
    physics: z
      .strictObject({
        gravity: num(-100, 100, d.physics.gravity),
        timeStep: num(1 / 240, 1 / 10, d.physics.timeStep),
      })
      .prefault({}),
    movement: z
      .strictObject({
        walkSpeed: num(0, 50, d.movement.walkSpeed),
        runSpeed: num(0, 100, d.movement.runSpeed),
        jumpSpeed: num(0, 50, d.movement.jumpSpeed),
        fly: z.boolean().default(d.movement.fly),
      })
      .prefault({}),
    avatars: z
      .strictObject({
        minScale: num(0.1, 10, d.avatars.minScale),
        maxScale: num(0.1, 10, d.avatars.maxScale),
      })
      .prefault({})
      .refine((a) => a.minScale <= a.maxScale, { message: 'minScale must not exceed maxScale', path: ['minScale'] }),
    chat: z
      .strictObject({
        enabled: z.boolean().default(d.chat.enabled),
        maxLength: int(1, 4000, d.chat.maxLength),
        perMinute: int(0, 600, d.chat.perMinute),
      })
      .prefault({}),
    limits: z
      .strictObject({
        players: int(1, 1000, d.limits.players),
        entities: int(0, 1_000_000, d.limits.entities),
      })
      .prefault({}),
  })
  .prefault({})

/** Basis rules that break the schema: `field` is the dotted path, `value` the JSON of what was given. */
export class RulesError extends Error {
  override name = 'RulesError'
  constructor(
    readonly field: string,
    readonly value: string,
    problem: string,
  ) {
    super(`The world's rule ${field} = ${value} is not allowed (${problem}). Fix the rules in the world's rules.json and build again.`)
  }
}

/** Parses partial basis rules (`undefined` means none) into complete ones; throws {@link RulesError}. */
export function parseBasisRules(input: unknown): BasisRules {
  const result = basisRulesSchema.safeParse(input)
  if (result.success) return result.data
  const { field, value, problem } = describeIssue(result.error, input)
  throw new RulesError(field, value, problem)
}
