// Meadow's world script: it runs in the host's QuickJS sandbox with the world-sdk API only.
import { defineWorld } from '@peercompute/world-sdk'

export default defineWorld({
  playerJoin (world, player) {
    world.log(`${player.name} walks into the meadow`)
  },
})
