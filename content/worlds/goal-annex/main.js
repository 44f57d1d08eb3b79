// The trophy room below Goal!: a nested world. It inherits Goal!'s locked physics and may hold
// at most as many players as Goal! does (Goal!'s rules.json bounds them).
import { defineWorld } from '@peercompute/world-sdk'

export default defineWorld({
  setup (world) {
    world.entities.spawn({ id: 'plaque', kind: 'text', position: [0, 2.4, 3], data: { text: 'Hall of Goals' } })
  },
  playerJoin (world, player) {
    const visitors = (world.entities.get('plaque')?.data.visitors ?? 0) + 1
    world.entities.update('plaque', { text: `Hall of Goals: ${visitors} visitors`, visitors, latest: player.name })
  },
})
