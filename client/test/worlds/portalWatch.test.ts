import { describe, expect, it } from 'vitest'
import { PortalWatch, portalAt } from '../../src/worlds/portalWatch.js'
import type { PortalDefinition } from '@peercompute/world-sdk'

const portals: PortalDefinition[] = [
  { id: 'to-moon', world: 'moon', position: [0, 1, 8], radius: 2 },
  { id: 'to-goal', world: 'goal', position: [10, 0, -12], radius: 1 },
]

describe('portals', () => {
  it('finds the portal whose circle holds the feet, within reach above and below its base', () => {
    expect(portalAt(portals, [0, 1, 6.5])?.world).toBe('moon')
    expect(portalAt(portals, [1.9, 2, 8])?.world).toBe('moon')
    expect(portalAt(portals, [0, 1, 5.9])).toBeNull()
    expect(portalAt(portals, [0, 9, 8])).toBeNull()
    expect(portalAt(portals, [10.5, 0, -12])?.world).toBe('goal')
  })

  it('tells once per entry, again after leaving and coming back', () => {
    const watch = new PortalWatch(portals, [0, 1, 0])
    const entered: string[] = []
    watch.onEnter((p) => entered.push(p.world))
    for (const z of [2, 4, 6.5, 7, 8, 9]) watch.update([0, 1, z])
    expect(entered).toEqual(['moon'])
    watch.update([0, 1, 12])
    watch.update([0, 1, 9])
    expect(entered).toEqual(['moon', 'moon'])
  })

  it('does not send back an avatar that arrives standing in a portal', () => {
    const watch = new PortalWatch(portals, [0, 1, 8])
    const entered: string[] = []
    watch.onEnter((p) => entered.push(p.world))
    watch.update([0.5, 1, 8])
    expect(entered).toEqual([])
    watch.onEnter(null)
    watch.update([0, 1, 0])
    watch.update([0, 1, 8])
    expect(entered).toEqual([])
  })
})
