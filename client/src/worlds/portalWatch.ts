import type { PortalDefinition, Vec3 } from '@peercompute/world-sdk'

/** How far above or below a portal's base an avatar may be and still enter it, in metres. */
const REACH_UP = 3

/** The portal whose circle (on the ground plane) contains `feet`, or null. */
export function portalAt(portals: readonly PortalDefinition[], feet: Vec3): PortalDefinition | null {
  for (const portal of portals) {
    const [px, py, pz] = portal.position
    const dx = feet[0] - px
    const dz = feet[2] - pz
    if (dx * dx + dz * dz <= portal.radius * portal.radius && Math.abs(feet[1] - py) <= REACH_UP) return portal
  }
  return null
}

/**
 * Tells when the avatar walks into a portal: once per entry (standing in it does not repeat), and
 * not for the portal the avatar stands in when watching starts (arriving on one does not bounce back).
 */
export class PortalWatch {
  private inside: string | null
  private handler: ((portal: PortalDefinition) => void) | null = null

  constructor(private readonly portals: readonly PortalDefinition[], start: Vec3) {
    this.inside = portalAt(portals, start)?.id ?? null
  }

  /** Who is told about entries; null stops telling. */
  onEnter(handler: ((portal: PortalDefinition) => void) | null): void {
    this.handler = handler
  }

  /** Feeds the avatar's position (each frame). */
  update(feet: Vec3): void {
    const portal = portalAt(this.portals, feet)
    const id = portal?.id ?? null
    if (id === this.inside) return
    this.inside = id
    if (portal != null) this.handler?.(portal)
  }
}
