/**
 * @peercompute/world-sdk — what a world author imports: basis rules, world definitions and the
 * deterministic terrain.
 * @packageDocumentation
 */
export { DEFAULT_BASIS_RULES, RulesError, basisRulesSchema, parseBasisRules } from './rules/basisRules.js'
export type { BasisRules } from './rules/basisRules.js'
export {
  MAX_PROPS,
  WorldDefinitionError,
  parseWorldDefinition,
  worldDefinitionSchema,
} from './world/worldDefinition.js'
export type { PropDefinition, Vec3, WorldDefinition } from './world/worldDefinition.js'
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
export { PLACEMENT_CLEARANCE, placeOnTerrain } from './world/placeOnTerrain.js'
