// Goal! — push the ball between the posts. The host simulates the ball (a prop in world.json) and
// shows it to this script as the entity 'ball'; the script watches it, counts goals on a
// scoreboard entity that every player sees, and puts the ball back on the centre spot (a `move`
// of a prop teleports it in the host's simulation, and every player sees it jump there).
import { defineWorld } from '@peercompute/world-sdk'

/** The goal mouth: between the posts (x), under the crossbar (y, above the ball's start), past the line (z). */
const GOAL = { minX: -1.9, maxX: 1.9, lineZ: 12, depthZ: 15, height: 2 }
/** The centre spot, where world.json puts the ball; it is served there from this high above where it first lay. */
const CENTRE = { x: 0, z: 0, drop: 1 }
/** Seconds after a goal before the next one counts (the ball needs a moment to be put back). */
const COOLDOWN = 1.5

function nearest (players, position) {
  let best = null
  let bestDistance = Infinity
  for (const p of players) {
    const d = Math.hypot(p.position[0] - position[0], p.position[2] - position[2])
    if (d < bestDistance) { best = p; bestDistance = d }
  }
  return best
}

function scoreText (goals, last) {
  return last === null ? `Goals: ${goals}` : `Goals: ${goals} (last: ${last})`
}

export default defineWorld({
  setup (world) {
    this.kickoff = null
    this.groundY = null
    this.quietUntil = 0
    // A host that took over (or restarted on the world's saved state) finds the scoreboard in the
    // world already: the match goes on from its score rather than starting again at 0.
    const board = world.entities.get('scoreboard')
    const goals = board?.data.goals
    const last = board?.data.last
    this.goals = typeof goals === 'number' && Number.isInteger(goals) && goals >= 0 ? goals : 0
    this.last = typeof last === 'string' ? last : null
    world.entities.spawn({
      id: 'scoreboard',
      kind: 'text',
      position: [0, 4, GOAL.lineZ],
      data: { text: scoreText(this.goals, this.last), goals: this.goals, last: this.last },
    })
  },

  tick (world) {
    const ball = world.entities.get('ball')
    if (ball === undefined) return
    // A host that took over mid-match first sees the ball wherever it lies: serve it on the centre
    // spot all the same, dropped a little so it never starts inside the grass.
    if (this.kickoff === null) {
      this.groundY = ball.position[1]
      this.kickoff = [CENTRE.x, ball.position[1] + CENTRE.drop, CENTRE.z]
    }
    const [x, y, z] = ball.position
    const inGoal = x > GOAL.minX && x < GOAL.maxX && z > GOAL.lineZ && z < GOAL.depthZ && y < this.groundY + GOAL.height
    if (!inGoal || world.time() < this.quietUntil) return
    this.goals += 1
    this.last = nearest(world.players(), ball.position)?.name ?? null
    this.quietUntil = world.time() + COOLDOWN
    world.entities.update('scoreboard', { text: scoreText(this.goals, this.last), goals: this.goals, last: this.last })
    world.entities.move('ball', this.kickoff, [0, 0, 0, 1])
    world.emit('goal', { goals: this.goals, scorer: this.last })
  },

  playerJoin (world, player) {
    world.emit('welcome', { to: player.id, text: `Welcome, ${player.name}! Push the white ball between the posts.` })
  },

  onEvent (world, event) {
    // The host may reset the match (a button in its HUD); players cannot.
    if (event.name !== 'reset' || event.from !== undefined) return
    this.goals = 0
    this.last = null
    world.entities.update('scoreboard', { text: scoreText(0, null), goals: 0, last: null })
    if (this.kickoff !== null) world.entities.move('ball', this.kickoff, [0, 0, 0, 1])
  },
})
