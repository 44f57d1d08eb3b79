import { generateHeightfield, sampleHeight } from '../terrain/heightfield.js'
import type { WorldDefinition } from './worldDefinition.js'

/** Gap left under a placed prop, in metres, so it drops onto the slope instead of starting inside it. */
export const PLACEMENT_CLEARANCE = 0.05

/**
 * Turns an authored world (spawn, prop and portal `y` meaning "metres above the ground") into final
 * data: the spawn's and each portal's `y` become ground + y, and each prop's centre is raised so its base rests
 * `y + PLACEMENT_CLEARANCE` above the highest ground under its footprint.
 */
export function placeOnTerrain(world: WorldDefinition): WorldDefinition {
  const heights = generateHeightfield(world.terrain)
  const ground = (x: number, z: number): number => sampleHeight(heights, world.terrain, x, z)
  const [sx, sy, sz] = world.spawn
  const props = world.props.map((prop) => {
    const [x, lift, z] = prop.position
    // A sphere's diameter is size[0]; a box's extents are size.
    const [hx, halfHeight, hz] = prop.shape === 'sphere' ? [prop.size[0] / 2, prop.size[0] / 2, prop.size[0] / 2] : prop.size.map((s) => s / 2)
    const base = Math.max(
      ground(x, z),
      ground(x - hx, z - hz),
      ground(x + hx, z - hz),
      ground(x - hx, z + hz),
      ground(x + hx, z + hz),
    )
    const y = round3(base + lift + PLACEMENT_CLEARANCE + halfHeight)
    return { ...prop, position: [x, y, z] as [number, number, number] }
  })
  const portals = world.portals?.map((portal) => {
    const [x, lift, z] = portal.position
    return { ...portal, position: [x, round3(ground(x, z) + lift), z] as [number, number, number] }
  })
  return { ...world, spawn: [sx, round3(ground(sx, sz) + sy), sz], props, ...(portals == null ? {} : { portals }) }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}
