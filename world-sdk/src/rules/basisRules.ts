import { z } from 'zod'
import { describeIssue } from '../zodIssue.js'

/** Who may do something in a world: any player, only the world's host, or no one. */
export type WorldRole = 'everyone' | 'host' | 'nobody'

/**
 * How a world's nodes link under its host: 'node' leaves it to each node's own
 * `createNode({ topology })`; the others are the kernel's topologies ('hierarchy': parent and
 * children; 'distributed': a full mesh; 'emergent': clusters of fast links, one gateway each).
 */
export type TopologyRule = 'node' | 'hierarchy' | 'distributed' | 'emergent'

/**
 * The laws a world runs under. Each world's bundle gives a partial set; missing fields are
 * inherited from the parent world (see `effectiveRules`), and at the root from
 * {@link DEFAULT_BASIS_RULES}.
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
  building: {
    /** Who may place objects. @default 'everyone' */
    place: WorldRole
    /** Who may remove objects. @default 'everyone' */
    remove: WorldRole
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
    /** Players in the world at once. @default 64 */
    players: number
    /** Entities in the world's state. @default 10_000 */
    entities: number
    /** CPU time the world's script may use per call (a tick, an event), in ms: over it 3 calls in a row, or 25 times over once, it is stopped. @default 4 */
    scriptCpuMs: number
    /** Memory the world's script may hold, in MiB. @default 16 */
    scriptMemoryMiB: number
  }
  permissions: {
    /** Who may join. @default 'everyone' */
    join: 'everyone' | 'invited'
    /** Whether worlds may be published and hosted below this one. @default true */
    subworlds: boolean
    /** Whether the world (and its descendants, unless they are locked) may run a script. @default true */
    scripts: boolean
  }
  network: {
    /** How the world's members link to each other under its host. @default 'node' (each node's createNode choice) */
    topology: TopologyRule
    /** Largest full mesh ('distributed'); a bigger world keeps a ring of this many neighbours. @default 32 */
    maxMeshPeers: number
  }
}

/** The rules of a world that sets none (and of the chain's start, above the overworld). */
export const DEFAULT_BASIS_RULES: BasisRules = Object.freeze({
  physics: Object.freeze({ gravity: -9.81, timeStep: 1 / 60 }),
  movement: Object.freeze({ walkSpeed: 4, runSpeed: 7, jumpSpeed: 5, fly: false }),
  avatars: Object.freeze({ minScale: 0.5, maxScale: 2 }),
  building: Object.freeze({ place: 'everyone', remove: 'everyone' }),
  chat: Object.freeze({ enabled: true, maxLength: 280, perMinute: 30 }),
  limits: Object.freeze({ players: 64, entities: 10_000, scriptCpuMs: 4, scriptMemoryMiB: 16 }),
  permissions: Object.freeze({ join: 'everyone', subworlds: true, scripts: true }),
  network: Object.freeze({ topology: 'node', maxMeshPeers: 32 }),
}) as BasisRules

const num = (min: number, max: number) => z.number().min(min).max(max)
const int = (min: number, max: number) => z.number().int().min(min).max(max)
const role = z.enum(['everyone', 'host', 'nobody'])

/** The schema of each rule, section by section, without defaults. */
export const RULE_SECTIONS = {
  physics: { gravity: num(-100, 100), timeStep: num(1 / 240, 1 / 10) },
  movement: { walkSpeed: num(0, 50), runSpeed: num(0, 100), jumpSpeed: num(0, 50), fly: z.boolean() },
  avatars: { minScale: num(0.1, 10), maxScale: num(0.1, 10) },
  building: { place: role, remove: role },
  chat: { enabled: z.boolean(), maxLength: int(1, 4000), perMinute: int(0, 600) },
  limits: { players: int(1, 1000), entities: int(0, 1_000_000), scriptCpuMs: num(0.1, 100), scriptMemoryMiB: num(1, 512) },
  permissions: { join: z.enum(['everyone', 'invited']), subworlds: z.boolean(), scripts: z.boolean() },
  network: { topology: z.enum(['node', 'hierarchy', 'distributed', 'emergent']), maxMeshPeers: int(1, 256) },
} as const

/** A rules section with every field optional: what a world's rules.json may set. */
const partialSection = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).partial().optional()

/** Zod schema of the overrides a world declares (each field optional, no defaults). */
export const partialRulesShape = {
  physics: partialSection(RULE_SECTIONS.physics),
  movement: partialSection(RULE_SECTIONS.movement),
  avatars: partialSection(RULE_SECTIONS.avatars),
  building: partialSection(RULE_SECTIONS.building),
  chat: partialSection(RULE_SECTIONS.chat),
  limits: partialSection(RULE_SECTIONS.limits),
  permissions: partialSection(RULE_SECTIONS.permissions),
  network: partialSection(RULE_SECTIONS.network),
}

/** Rules a world sets: any subset of {@link BasisRules}. */
export type PartialBasisRules = { [S in keyof BasisRules]?: Partial<BasisRules[S]> }

/** Complete basis rules: every field present and in range, avatar scales ordered. */
export const basisRulesSchema = z
  .strictObject({
    physics: z.strictObject(RULE_SECTIONS.physics),
    movement: z.strictObject(RULE_SECTIONS.movement),
    avatars: z.strictObject(RULE_SECTIONS.avatars)
      .refine((a) => a.minScale <= a.maxScale, { message: 'minScale must not exceed maxScale', path: ['minScale'] }),
    building: z.strictObject(RULE_SECTIONS.building),
    chat: z.strictObject(RULE_SECTIONS.chat),
    limits: z.strictObject(RULE_SECTIONS.limits),
    permissions: z.strictObject(RULE_SECTIONS.permissions),
    network: z.strictObject(RULE_SECTIONS.network),
  })

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

/** Throws the {@link RulesError} for a failed zod parse of `input`. */
export function throwRulesError(error: z.ZodError, input: unknown): never {
  const { field, value, problem } = describeIssue(error, input)
  throw new RulesError(field, value, problem)
}

/** `base` with the fields `overrides` sets replaced; shares no objects with either. */
export function applyRules(base: BasisRules, overrides: PartialBasisRules): BasisRules {
  const out = {} as Record<string, Record<string, unknown>>
  for (const section of Object.keys(RULE_SECTIONS) as (keyof BasisRules)[]) {
    out[section] = { ...base[section], ...definedFields(overrides[section]) }
  }
  return out as unknown as BasisRules
}

function definedFields(section: object | undefined): Record<string, unknown> {
  if (section === undefined) return {}
  return Object.fromEntries(Object.entries(section).filter(([, v]) => v !== undefined))
}

/** Checks merged rules as a whole (cross-field checks such as minScale ≤ maxScale); throws RulesError. */
export function checkBasisRules(rules: BasisRules, input: unknown = rules): BasisRules {
  const result = basisRulesSchema.safeParse(rules)
  if (!result.success) throwRulesError(result.error, input)
  return result.data as BasisRules
}

/** A rule's dotted path below `rules.`: a section (`physics`) or a field (`physics.gravity`). */
export type RulePath = string

/** Every field's dotted path, section by section (`physics.gravity`, ...). */
export const RULE_FIELDS: readonly RulePath[] = Object.entries(RULE_SECTIONS)
  .flatMap(([section, fields]) => Object.keys(fields).map((field) => `${section}.${field}`))

const NUMERIC_FIELDS = new Set(RULE_FIELDS.filter((path) => typeof valueAtPath(DEFAULT_BASIS_RULES, path) === 'number'))

/** The value at `path` (a field's dotted path) in complete rules. */
export function valueAtPath(rules: BasisRules, path: RulePath): unknown {
  const [section, field] = path.split('.') as [keyof BasisRules, string]
  return (rules[section] as Record<string, unknown> | undefined)?.[field]
}

/** The fields `path` names: itself for a field, every field of a section. */
export function fieldsUnder(path: RulePath): RulePath[] {
  return RULE_FIELDS.filter((field) => field === path || field.startsWith(`${path}.`))
}

/** A limit on a number: a value, or `'own'` for the declaring world's own effective value. */
export type BoundValue = number | 'own'

/** What a world imposes on the worlds below it (its descendants, at every depth). */
export interface DescendantRules {
  /** Rules (fields or whole sections) every descendant must keep at this world's value. */
  lock?: RulePath[]
  /** Numeric rules a descendant may set only within these limits. */
  bounds?: Record<RulePath, { min?: BoundValue; max?: BoundValue }>
}

/** What a world's rules.json holds (the manifest's `rules`): its overrides, and what it imposes below. */
export type RulesDeclaration = PartialBasisRules & { descendants?: DescendantRules }

const rulePath = z.string().refine((p) => fieldsUnder(p).length > 0, { message: `must name a rule, such as ${RULE_FIELDS[0]}` })
const numericPath = z.string().refine((p) => NUMERIC_FIELDS.has(p), { message: 'bounds apply to numeric rules only' })
const boundValue = z.union([z.number(), z.literal('own')])

/** Zod schema of a world's rules declaration (rules.json / the manifest's `rules`). */
export const rulesDeclarationSchema = z.strictObject({
  ...partialRulesShape,
  descendants: z
    .strictObject({
      lock: z.array(rulePath).max(64).optional(),
      bounds: z.record(numericPath, z.strictObject({ min: boundValue.optional(), max: boundValue.optional() })).optional(),
    })
    .optional(),
})

/** Parses a world's rules declaration (`undefined` means an empty one); throws {@link RulesError}. */
export function parseRulesDeclaration(input: unknown): RulesDeclaration {
  const result = rulesDeclarationSchema.safeParse(input === undefined ? {} : input)
  if (!result.success) throwRulesError(result.error, input)
  return result.data as RulesDeclaration
}

/**
 * Parses a world's declared rules (`undefined` means none) into complete ones, filling what it
 * does not set from the defaults; throws {@link RulesError}. The declaration's `descendants` is
 * checked and left out. `effectiveRules` inherits from the parent world instead of the defaults.
 */
export function parseBasisRules(input: unknown): BasisRules {
  return checkBasisRules(applyRules(DEFAULT_BASIS_RULES, parseRulesDeclaration(input)), input)
}
