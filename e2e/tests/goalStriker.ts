import type { Page } from '@playwright/test'

/** A point or pose in world space, metres. */
export type Vec3 = [number, number, number]

/** What a page of the goal world shows: the ball, this player's avatar, the scoreboard. */
export interface Pitch {
  /** The ball (prop 0) where the host's latest poses put it; null outside a hosted world. */
  ball: Vec3 | null
  /** The ball in this page's own physics (it follows the host's poses, interpolated); null without. */
  localBall: Vec3 | null
  /** This player's feet (as its physics last stepped them, else as its status lists them), horizontal speed (m/s) and heading. */
  feet: Vec3 | null
  speed: number | null
  yaw: number | null
  /** The scoreboard entity's `data.goals` in the page's copy of the world. */
  goals: number | null
  /** The texts the page draws for the world's script (its scoreboard), as shown. */
  board: string
  /** Prop-pose messages taken in from the host. */
  received: number
  /** Frames a second the page draws. */
  fps: number | null
}

/** The slice of `window.peercompute` that {@link pitchOf} reads. */
interface GoalNode {
  getStatus(): { fps: number | null; players: Array<{ position: Vec3; yaw: number; self: boolean }>; props: { received: number } | null }
  kernel: {
    physics: { props(): Float32Array | null; avatar(): { position: Vec3; velocity: Vec3 } | null } | null
    subWorlds: { propPoses(): Float32Array | null }
    state: { world(): { entities(): Array<{ name: string | null; data: Record<string, unknown> | null }> } | null }
  }
}

/** Reads the goal game from a page: the host's ball pose, the avatar, the scoreboard entity and its drawn text. */
export function pitchOf(page: Page): Promise<Pitch> {
  return page.evaluate(() => {
    const node = (window as unknown as { peercompute: GoalNode }).peercompute
    const status = node.getStatus()
    const poses = node.kernel.subWorlds.propPoses()
    const local = node.kernel.physics?.props() ?? null
    const avatar = node.kernel.physics?.avatar() ?? null
    const self = status.players.find((p) => p.self)
    // The script's entity ids are the entities' names in the document.
    const goals = node.kernel.state.world()?.entities().find((e) => e.name === 'scoreboard')?.data?.['goals']
    return {
      ball: poses === null ? null : [poses[0] ?? NaN, poses[1] ?? NaN, poses[2] ?? NaN],
      localBall: local === null ? null : [local[0] ?? NaN, local[1] ?? NaN, local[2] ?? NaN],
      feet: avatar?.position ?? self?.position ?? null,
      speed: avatar === null ? null : Math.hypot(avatar.velocity[0], avatar.velocity[2]),
      yaw: self?.yaw ?? null,
      goals: typeof goals === 'number' ? goals : null,
      board: document.querySelector('[data-testid="world-board"]')?.textContent ?? '',
      received: status.props?.received ?? 0,
      fps: status.fps,
    }
  })
}

/** Horizontal distance between two points. */
export const flat = (a: Vec3, b: Vec3): number => Math.hypot(a[0] - b[0], a[2] - b[2])

/** How a try ended badly: the message carries the recent positions of ball and player. */
export class StrikeError extends Error {
  override name = 'StrikeError'
}

export interface StrikerInit {
  /** Where the ball should go (x, z): inside the goal mouth. */
  target: [number, number]
  /** Pushes to start at most (a deflected ball is walked round and pushed again). */
  maxTries: number
  /** Give up after this long, ms. */
  timeoutMs: number
}

/** Radians the client turns per pixel of mouse movement under pointer lock (client PlayerControls). */
const RADIANS_PER_PIXEL = 0.0025
/** Ball radius plus the host's copy of an avatar (capsule 0.35 m, widened 0.15 m to push), m. */
const CONTACT = 0.9
/** A push starts from at least this far behind the ball, heading no more than MAX_CUT off the line to the target. */
const MIN_RUN_UP = 2
const MAX_CUT = (35 * Math.PI) / 180
/** A push ends when the player comes this close to level with the ball (it went by: a deflection), m. */
const LEVEL = 0.6
/** How far behind the ball a walk round it ends, and how wide of it the walk goes, m. */
const RUN_UP = 5
const WIDE = 3.5
/** A walk ends this near its point (a slow page stops the avatar up to a frame late), m. */
const ARRIVED = 1
/** The centre spot, where the host's script serves the ball after a goal. */
const CENTRE: Vec3 = [0, 0, 0]
/** A ball that was this far from the centre spot one read and this near it the next was served again (a goal), m. */
const SERVED_FROM = 3
const SERVED_WITHIN = 1
/** Between two reads of the page, ms (a software-rendered page draws 1-10 frames a second). */
const POLL_MS = 150

type Action = 'start' | 'push' | 'walk' | 'stop'

/** One read of the page while playing. */
export interface StrikeSample {
  /** Since the striker started, ms. */
  ms: number
  /** What the player was doing when the page was read. */
  action: Action
  pitch: Pitch
  /** The heading the mouse had turned the avatar to by then, radians. */
  yaw: number
}

/**
 * A player at the keyboard and mouse, as a person would play the goal game: it turns with the
 * mouse under pointer lock and walks with 'W' held. Every choice is made standing still, from
 * fresh reads: a page's input reaches physics once a frame, and a software-rendered page draws
 * 1-10 frames a second, so a turn made while walking lands up to a second (4 m) late.
 * From behind the ball it heads for the point where its avatar meets the ball so that the ball
 * goes towards the target, and walks on through the ball until a goal or until it comes level
 * with the ball (a deflection); elsewhere it first walks round to behind the ball, wide of it.
 */
export class Striker {
  /** Every read while playing, oldest first (printed when a try fails). */
  readonly samples: StrikeSample[] = []
  /** Pushes started. */
  tries = 0
  private yaw = 0
  private mouse = { x: 0, y: 0, min: 0, max: 0 }
  private readonly started = Date.now()
  private goalsBefore = 0

  constructor(private readonly page: Page, private readonly init: StrikerInit) {}

  /**
   * Plays until the scoreboard counts more than `goalsBefore`; returns the page's read that shows it.
   * Throws a StrikeError after `maxTries` pushes or `timeoutMs` without a goal.
   */
  async scoreAbove(goalsBefore: number): Promise<Pitch> {
    this.goalsBefore = goalsBefore
    this.yaw = (await pitchOf(this.page)).yaw ?? 0
    await this.lock()
    try {
      for (;;) {
        const pitch = await this.standStill()
        if (this.scored(pitch)) return await this.scoreboard()
        if (pitch.ball === null || pitch.feet === null) throw this.failure('the page shows no ball or no avatar')
        const { d, along } = this.line(pitch.ball, pitch.feet)
        const meet: [number, number] = [pitch.ball[0] - d[0] * CONTACT, pitch.ball[2] - d[1] * CONTACT]
        const cut = Math.acos(Math.min(1, ((meet[0] - pitch.feet[0]) * d[0] + (meet[1] - pitch.feet[2]) * d[1]) / (Math.hypot(meet[0] - pitch.feet[0], meet[1] - pitch.feet[2]) || 1)))
        if (along < -MIN_RUN_UP && cut < MAX_CUT) {
          if (++this.tries > this.init.maxTries) throw this.failure(`no goal in ${this.init.maxTries} pushes`)
          await this.face(meet, pitch.feet)
          const end = await this.hold('push', (p) => p.ball === null || p.feet === null || this.line(p.ball, p.feet).along > -LEVEL)
          if (end !== null && this.scored(end)) return await this.scoreboard()
        } else {
          const aim = this.wayRound(pitch.ball, pitch.feet)
          await this.face(aim, pitch.feet)
          await this.hold('walk', (p) => p.feet === null || Math.hypot(aim[0] - p.feet[0], aim[1] - p.feet[2]) < ARRIVED)
        }
      }
    } finally {
      await this.page.keyboard.up('KeyW')
      await this.page.evaluate(() => document.exitPointerLock())
    }
  }

  /** Holds 'W' until `done` says so for a read, a goal is scored, or 20 s pass; returns the last read, or null after 20 s. */
  private async hold(action: Action, done: (pitch: Pitch) => boolean): Promise<Pitch | null> {
    const until = Date.now() + 20_000
    await this.page.keyboard.down('KeyW')
    try {
      while (Date.now() < until && Date.now() - this.started < this.init.timeoutMs) {
        const pitch = await this.read(action)
        if (this.scored(pitch) || done(pitch)) return pitch
        await this.page.waitForTimeout(POLL_MS)
      }
      return null
    } finally {
      await this.page.keyboard.up('KeyW')
    }
  }

  /** Lets go of the keys and reads until the avatar stands still (or a goal is seen). */
  private async standStill(): Promise<Pitch> {
    await this.page.keyboard.up('KeyW')
    for (;;) {
      if (Date.now() - this.started > this.init.timeoutMs) throw this.failure(`no goal in ${this.init.timeoutMs / 1000} s`)
      const pitch = await this.read('stop')
      if (this.scored(pitch) || (pitch.speed ?? 0) < 0.1) return pitch
      await this.page.waitForTimeout(POLL_MS)
    }
  }

  /** After a goal (the ball served, or the count up): waits until the page's scoreboard counts it. */
  private async scoreboard(): Promise<Pitch> {
    const until = Date.now() + 20_000
    for (;;) {
      const pitch = await this.read('stop')
      if ((pitch.goals ?? 0) > this.goalsBefore) return pitch
      if (Date.now() > until) throw this.failure('the ball was served back but the scoreboard did not count a goal in 20 s')
      await this.page.waitForTimeout(POLL_MS)
    }
  }

  /** Whether the read shows a goal: the count went up, or (read by read the ball may move metres) the ball jumped from afar to the centre spot. */
  private scored(pitch: Pitch): boolean {
    const before = this.samples.at(-2)?.pitch.ball ?? null
    const served = before !== null && pitch.ball !== null && flat(before, CENTRE) > SERVED_FROM && flat(pitch.ball, CENTRE) < SERVED_WITHIN
    return served || (pitch.goals ?? 0) > this.goalsBefore
  }

  /** The line from the ball to the target: unit direction d, and where the feet are along it and beside it. */
  private line(ball: Vec3, feet: Vec3): { d: [number, number]; along: number; side: number } {
    const [tx, tz] = this.init.target
    const length = Math.hypot(tx - ball[0], tz - ball[2]) || 1
    const d: [number, number] = [(tx - ball[0]) / length, (tz - ball[2]) / length]
    const [rx, rz] = [feet[0] - ball[0], feet[2] - ball[2]]
    return { d, along: rx * d[0] + rz * d[1], side: rx * -d[1] + rz * d[0] }
  }

  /**
   * Where to walk to get behind the ball: level with it or ahead, first out to its side (never
   * across it), then back along that side; behind it, onto the line a run-up back.
   */
  private wayRound(ball: Vec3, feet: Vec3): [number, number] {
    const { d, along, side } = this.line(ball, feet)
    const at = (a: number, s: number): [number, number] => [ball[0] + d[0] * a - d[1] * s, ball[2] + d[1] * a + d[0] * s]
    const out = side >= 0 ? WIDE : -WIDE
    if (along > -MIN_RUN_UP) return Math.abs(side) < WIDE - ARRIVED ? at(Math.max(along, 0), out) : at(-RUN_UP, out)
    return at(Math.min(along, -RUN_UP), 0)
  }

  /** Turns the avatar (the mouse, under pointer lock) to head from `feet` to `aim`; forward is (sin yaw, cos yaw). */
  private async face(aim: [number, number], feet: Vec3): Promise<void> {
    const want = Math.atan2(aim[0] - feet[0], aim[1] - feet[2])
    let pixels = Math.round(Math.atan2(Math.sin(want - this.yaw), Math.cos(want - this.yaw)) / RADIANS_PER_PIXEL)
    while (pixels !== 0) {
      const room = pixels > 0 ? this.mouse.max - this.mouse.x : this.mouse.x - this.mouse.min
      if (room <= 0) {
        // The pointer reached the canvas's edge: let go of the lock, come back to the middle, lock again.
        await this.page.evaluate(() => document.exitPointerLock())
        await this.lock()
        continue
      }
      const step = Math.sign(pixels) * Math.min(Math.abs(pixels), room)
      this.mouse.x += step
      await this.page.mouse.move(this.mouse.x, this.mouse.y)
      this.yaw += step * RADIANS_PER_PIXEL
      pixels -= step
    }
  }

  /** Clicks the middle of the canvas (moving there unlocked and with no button turns nothing) and waits for pointer lock. */
  private async lock(): Promise<void> {
    const canvas = this.page.locator('canvas').first()
    const box = await canvas.boundingBox()
    if (box === null) throw new StrikeError('The page shows no canvas to click.')
    this.mouse = { x: box.x + box.width / 2, y: box.y + box.height / 2, min: box.x + 40, max: box.x + box.width - 40 }
    await this.page.waitForFunction(() => document.pointerLockElement === null)
    await this.page.mouse.move(this.mouse.x, this.mouse.y)
    await this.page.mouse.click(this.mouse.x, this.mouse.y)
    await this.page.waitForFunction(() => document.pointerLockElement?.tagName === 'CANVAS', undefined, { timeout: 10_000 })
  }

  private async read(action: Action): Promise<Pitch> {
    const pitch = await pitchOf(this.page)
    this.samples.push({ ms: Date.now() - this.started, action, pitch, yaw: this.yaw })
    return pitch
  }

  /** The reads as lines: time, what the player was doing, ball (the host's and this page's), player, heading, goals. */
  trace(last = Infinity): string {
    const v = (p: Vec3 | null): string => (p === null ? '-' : p.map((n) => n.toFixed(2)).join(', '))
    return this.samples.slice(-last).map(({ ms, action, pitch, yaw }) =>
      `${(ms / 1000).toFixed(1)} s ${action}: ball (${v(pitch.ball)}; here ${v(pitch.localBall)}), player (${v(pitch.feet)}) ` +
      `at ${pitch.speed?.toFixed(1) ?? '-'} m/s, yaw ${pitch.yaw?.toFixed(2) ?? '-'} (turned to ${yaw.toFixed(2)}), ${pitch.fps ?? '-'} fps, goals ${pitch.goals ?? '-'}`
    ).join('\n')
  }

  private failure(why: string): StrikeError {
    return new StrikeError(`${why} (${this.tries} pushes). Last reads of ball and player:\n${this.trace(25)}`)
  }
}
