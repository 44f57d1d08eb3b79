import {
  DEFAULT_BASIS_RULES,
  RulesError,
  applyRules,
  checkBasisRules,
  fieldsUnder,
  parseRulesDeclaration,
  valueAtPath,
} from './basisRules.js'
import type { BasisRules, PartialBasisRules, RulePath } from './basisRules.js'

/** One world's link in a chain: its id and the rules its manifest declares (parsed here). */
export interface WorldRulesDeclaration {
  /** The world's id. */
  world: string
  /** The manifest's `rules` (rules.json): overrides plus `descendants`. `undefined` sets nothing. */
  rules?: unknown
}

/** A rule an ancestor pinned: its value and the world that locked it. */
export interface RuleLock {
  value: unknown
  by: string
}

/** One side of a numeric bound and the world that set it. */
export interface RuleBound {
  value: number
  by: string
}

/** A world's rules after the fold from the root, and what it passes on to the worlds below it. */
export interface EffectiveRules {
  /** World ids from the root down to this world; empty above the root. */
  chain: string[]
  rules: BasisRules
  /** Locked fields (dotted paths below `rules.`), for every descendant. */
  locks: Record<RulePath, RuleLock>
  /** Bounded numeric fields, for every descendant. */
  bounds: Record<RulePath, { min?: RuleBound; max?: RuleBound }>
}

/** Where every chain starts: the default rules, nothing locked or bounded. */
export const ROOT_EFFECTIVE_RULES: EffectiveRules = Object.freeze({
  chain: [],
  rules: DEFAULT_BASIS_RULES,
  locks: {},
  bounds: {},
}) as EffectiveRules

/**
 * A world's rules break what an ancestor imposes. `rule` is the full path (`rules.physics.gravity`),
 * `world` the offending world and `value` what it sets; `by` and `limit` name the ancestor and its
 * locked value or bound.
 */
export class RuleViolationError extends Error {
  override name = 'RuleViolationError'
  constructor(
    readonly rule: string,
    readonly world: string,
    readonly value: unknown,
    readonly by: string,
    readonly limit: unknown,
    message: string,
  ) {
    super(message)
  }
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))
const AGAIN = 'then build and publish again'

/**
 * The child's effective rules under `parent` (the parent's effective rules): the child's overrides
 * applied to the parent's rules, checked against every lock and bound its ancestors declared.
 * A rule the child does not set is inherited, moved inside any bound it falls outside of.
 * Throws {@link RuleViolationError} naming the rule and both values, or RulesError for rules
 * that do not parse.
 */
export function checkRulesAgainstParent(parent: EffectiveRules, child: WorldRulesDeclaration): EffectiveRules {
  const world = child.world
  const parentId = parent.chain.at(-1)
  if (parentId !== undefined && !parent.rules.permissions.subworlds) {
    throw new RuleViolationError('rules.permissions.subworlds', world, true, parentId, false,
      `rules.permissions.subworlds is false in '${parentId}': it allows no worlds below it, so '${world}' cannot be one. ` +
        `Pick another parent world in ${world}'s bundle.json, ${AGAIN}.`)
  }
  if (parent.chain.includes(world)) {
    throw new RulesError('parent', show(world), `'${world}' would be its own ancestor (${[...parent.chain, world].join(' > ')})`)
  }
  const { descendants, ...overrides } = parseRulesDeclaration(child.rules)
  const set = (path: RulePath): unknown => (overrides as Record<string, Record<string, unknown> | undefined>)[path.split('.')[0] ?? '']?.[path.split('.')[1] ?? '']

  for (const [path, lock] of Object.entries(parent.locks)) {
    const value = set(path)
    if (value !== undefined && value !== lock.value) {
      throw new RuleViolationError(`rules.${path}`, world, value, lock.by, lock.value,
        `rules.${path} is locked by '${lock.by}' at ${show(lock.value)}; '${world}' sets ${show(value)}. ` +
          `Remove ${path} from ${world}'s rules.json (or set it to ${show(lock.value)}), ${AGAIN}.`)
    }
  }

  const inherited: PartialBasisRules = {}
  for (const [path, bound] of Object.entries(parent.bounds)) {
    const value = set(path)
    if (typeof value === 'number') {
      checkBound(path, world, value, bound)
      continue
    }
    const current = valueAtPath(parent.rules, path) as number
    const clamped = Math.min(bound.max?.value ?? Infinity, Math.max(bound.min?.value ?? -Infinity, current))
    if (clamped !== current) {
      const [section, field] = path.split('.') as [keyof BasisRules, string]
      inherited[section] = { ...inherited[section], [field]: clamped } as never
    }
  }
  const rules = checkBasisRules(applyRules(applyRules(parent.rules, inherited), overrides), child.rules)

  const locks = { ...parent.locks }
  for (const path of descendants?.lock ?? []) {
    for (const field of fieldsUnder(path)) locks[field] ??= { value: valueAtPath(rules, field), by: world }
  }
  const bounds: EffectiveRules['bounds'] = {}
  for (const [path, bound] of Object.entries(parent.bounds)) bounds[path] = { ...bound }
  for (const [path, declared] of Object.entries(descendants?.bounds ?? {})) {
    const own = valueAtPath(rules, path) as number
    const next = { ...bounds[path] }
    if (declared.min !== undefined) {
      const value = declared.min === 'own' ? own : declared.min
      if (next.min === undefined || value > next.min.value) next.min = { value, by: world }
    }
    if (declared.max !== undefined) {
      const value = declared.max === 'own' ? own : declared.max
      if (next.max === undefined || value < next.max.value) next.max = { value, by: world }
    }
    if (next.min !== undefined && next.max !== undefined && next.min.value > next.max.value) {
      throw new RulesError(`descendants.bounds.${path}`, JSON.stringify(declared),
        `no value fits: at least ${next.min.value} (from '${next.min.by}') and at most ${next.max.value} (from '${next.max.by}')`)
    }
    bounds[path] = next
  }
  return { chain: [...parent.chain, world], rules, locks, bounds }
}

function checkBound(path: RulePath, world: string, value: number, bound: EffectiveRules['bounds'][string]): void {
  const { min, max } = bound
  if (min !== undefined && value < min.value) {
    throw new RuleViolationError(`rules.${path}`, world, value, min.by, min.value,
      `rules.${path} must be at least ${min.value} below '${min.by}'; '${world}' sets ${value}. ` +
        `Set ${path} to ${min.value} or more in ${world}'s rules.json, ${AGAIN}.`)
  }
  if (max !== undefined && value > max.value) {
    throw new RuleViolationError(`rules.${path}`, world, value, max.by, max.value,
      `rules.${path} must be at most ${max.value} below '${max.by}'; '${world}' sets ${value}. ` +
        `Set ${path} to ${max.value} or less in ${world}'s rules.json, ${AGAIN}.`)
  }
}

/**
 * The effective rules of the last world in `chain` (root first: overworld, ..., the world), folded
 * from the root down with {@link checkRulesAgainstParent}; throws at the first world that breaks
 * its ancestors' rules.
 */
export function effectiveRules(chain: readonly WorldRulesDeclaration[]): EffectiveRules {
  return chain.reduce(checkRulesAgainstParent, ROOT_EFFECTIVE_RULES)
}
