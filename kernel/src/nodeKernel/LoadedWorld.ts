import type { BasisRules, WorldDefinition } from '@peercompute/world-sdk'

/** A verified world bundle, parsed and ready to enter (see ARCHITECTURE.md, "World loaded into a node"). */
export interface LoadedWorld {
  id: string
  name: string
  definition: WorldDefinition
  rules: BasisRules
  /** `generateHeightfield(definition.terrain)`: resolution² heights, row-major (z rows, x cols). */
  heights: Float32Array
  /** SHA-256 of each compute/ file of its verified bundle (world-sdk's computeCodeOf): code the node may run for it. */
  computeCode?: readonly string[]
}
