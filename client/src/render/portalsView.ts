import { CreateDisc } from '@babylonjs/core/Meshes/Builders/discBuilder.js'
import { CreateTorus } from '@babylonjs/core/Meshes/Builders/torusBuilder.js'
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial.js'
import { Color3 } from '@babylonjs/core/Maths/math.color.js'
import type { PortalDefinition } from '@peercompute/world-sdk'
import type { WorldScene } from './worldScene.js'

const RING = new Color3(0.45, 0.75, 1)
const VEIL = new Color3(0.2, 0.45, 0.9)

/** Each portal as an upright glowing ring over a translucent disc, facing the world's origin. */
export function createPortalsView(world: WorldScene, portals: readonly PortalDefinition[]): void {
  if (portals.length === 0) return
  const ring = new StandardMaterial('portal-ring', world.scene)
  ring.emissiveColor = RING
  ring.diffuseColor = RING
  const veil = new StandardMaterial('portal-veil', world.scene)
  veil.emissiveColor = VEIL
  veil.alpha = 0.35
  veil.backFaceCulling = false
  for (const portal of portals) {
    const [x, y, z] = portal.position
    const diameter = Math.min(4, Math.max(1.6, portal.radius * 1.4))
    const torus = CreateTorus(`portal-${portal.id}`, { diameter, thickness: 0.18, tessellation: 32 }, world.scene)
    torus.material = ring
    torus.position.set(x, y + diameter / 2 + 0.1, z)
    torus.rotation.x = Math.PI / 2
    torus.rotation.y = Math.atan2(x, z)
    const disc = CreateDisc(`portal-veil-${portal.id}`, { radius: diameter / 2 - 0.09, tessellation: 32 }, world.scene)
    disc.material = veil
    disc.parent = torus
    disc.rotation.x = -Math.PI / 2
    torus.isPickable = false
    disc.isPickable = false
  }
}
