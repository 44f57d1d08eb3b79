/**
 * @peercompute/world-sdk — what a world author imports: basis rules and their inheritance, world
 * definitions, the deterministic terrain, and the world script API (`defineWorld`).
 * @packageDocumentation
 */
export {
  DEFAULT_BASIS_RULES,
  RULE_FIELDS,
  RulesError,
  applyRules,
  basisRulesSchema,
  parseBasisRules,
  parseRulesDeclaration,
  rulesDeclarationSchema,
} from './rules/basisRules.js'
export type {
  BasisRules,
  BoundValue,
  DescendantRules,
  PartialBasisRules,
  RulePath,
  RulesDeclaration,
  TopologyRule,
  WorldRole,
} from './rules/basisRules.js'
export { ROOT_EFFECTIVE_RULES, RuleViolationError, checkRulesAgainstParent, effectiveRules } from './rules/effectiveRules.js'
export type { EffectiveRules, RuleBound, RuleLock, WorldRulesDeclaration } from './rules/effectiveRules.js'
export { WORLD_SCRIPT_HOOKS, defineWorld } from './script/defineWorld.js'
export type { EntityInit, ScriptEntities, WorldApi, WorldScript, WorldScriptHook } from './script/defineWorld.js'
export {
  MAX_INTENTS_PER_CALL,
  MAX_LOG_LENGTH,
  MAX_SCRIPT_OUTPUT_BYTES,
  MAX_SCRIPT_TASK_ELEMENTS,
  scriptEntitySchema,
  scriptIntentSchema,
  scriptOutputSchema,
  scriptPlayerSchema,
  worldEventSchema,
} from './script/scriptIntents.js'
export type {
  JsonValue,
  ScriptEntity,
  ScriptIntent,
  ScriptLogEntry,
  ScriptOutput,
  ScriptPlayer,
  ScriptQuat,
  ScriptTask,
  ScriptVec3,
  WorldEvent,
} from './script/scriptIntents.js'
export {
  MAX_PORTALS,
  MAX_PROPS,
  WorldDefinitionError,
  parseWorldDefinition,
  worldDefinitionSchema,
} from './world/worldDefinition.js'
export type { PortalDefinition, PropDefinition, Vec3, WorldDefinition } from './world/worldDefinition.js'
export {
  NOISE_BASE_PERIOD,
  NOISE_OCTAVES,
  SPAWN_BLEND_DISTANCE,
  SPAWN_FLAT_RADIUS,
  generateHeightfield,
  sampleHeight,
  terrainHeightAt,
  terrainStep,
} from './terrain/heightfield.js'
export type { TerrainDefinition } from './terrain/heightfield.js'
export { TERRAIN_WGSL } from './terrain/terrainShader.js'
export { COMPUTE_DIR, TERRAIN_COMPUTE_FILES, computeCodeOf, cpuKernelIdentity } from './terrain/terrainCompute.js'
export { PLACEMENT_CLEARANCE, placeOnTerrain } from './world/placeOnTerrain.js'
