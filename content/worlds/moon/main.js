// The Moon has no game of its own: low gravity (rules.json) is the point. Its script only greets.
import { defineWorld } from '@peercompute/world-sdk'

export default defineWorld({
  playerJoin (world, player) {
    world.log(`${player.name} landed; gravity here is ${world.rules.physics.gravity} m/s²`)
  },
})
