/** Options of a FixedStepLoop. */
export interface FixedStepLoopInit {
  /** Simulated seconds per step. */
  timeStep: number
  /** Most steps run in one tick; time beyond is dropped so a stall does not spiral. @default 4 */
  maxSubsteps?: number
  /** Runs one fixed step. */
  step: (dt: number) => void
  /** Runs after each tick that stepped at least once (at most once per timer tick, ≤ 60 Hz). */
  afterSteps: () => void
  /** Receives what a step threw; the loop has stopped by then (a timer must not throw). */
  onError: (err: unknown) => void
  /** Milliseconds clock. @default performance.now */
  now?: () => number
}

/**
 * Fixed-step accumulator loop on a timer: the simulation advances in equal steps whatever the
 * timer's jitter, catching up at most `maxSubsteps` steps per tick.
 */
export class FixedStepLoop {
  private timer: ReturnType<typeof setInterval> | null = null
  private accumulator = 0
  private last = 0
  private readonly maxSubsteps: number
  private readonly now: () => number

  constructor (private readonly init: FixedStepLoopInit) {
    this.maxSubsteps = init.maxSubsteps ?? 4
    this.now = init.now ?? (() => performance.now())
  }

  start (): void {
    if (this.timer !== null) return
    this.last = this.now()
    this.accumulator = 0
    const intervalMs = Math.max(this.init.timeStep, 1 / 60) * 1000
    this.timer = setInterval(this.tick, intervalMs)
  }

  stop (): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  isRunning (): boolean {
    return this.timer !== null
  }

  /** Runs the steps that the elapsed time calls for; public so a caller (or a test) can drive it. */
  readonly tick = (): void => {
    try {
      this.advance()
    } catch (err) {
      this.stop()
      this.init.onError(err)
    }
  }

  private advance (): void {
    const now = this.now()
    this.accumulator += (now - this.last) / 1000
    this.last = now
    const { timeStep } = this.init
    let steps = 0
    while (this.accumulator >= timeStep && steps < this.maxSubsteps) {
      this.init.step(timeStep)
      this.accumulator -= timeStep
      steps++
    }
    if (steps === this.maxSubsteps) this.accumulator = Math.min(this.accumulator, timeStep)
    if (steps > 0) this.init.afterSteps()
  }
}
