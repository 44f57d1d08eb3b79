/** One rendering quality step: render-resolution divisor and whether the sun casts shadows. */
export interface QualityLevel {
  scaling: number
  shadows: boolean
}

/** From best to cheapest. Software renderers (SwiftShader) and weak GPUs end up further down. */
export const QUALITY_LEVELS: readonly QualityLevel[] = [
  { scaling: 1, shadows: true },
  { scaling: 1, shadows: false },
  { scaling: 1.5, shadows: false },
  { scaling: 2, shadows: false },
]

/** How the governor judges frame rate. */
export interface QualityGovernorOptions {
  /** Below this average fps, quality steps down. @default 24 */
  minFps?: number
  /** Length of each judged window, ms. @default 3000 */
  windowMs?: number
  /** Ignored start-up time (shader compiles, asset uploads), ms. @default 2000 */
  warmupMs?: number
}

/**
 * Lowers quality one step at a time while the frame rate stays under `minFps`, judged over whole
 * windows so a single hitch does nothing. It never steps back up, so quality cannot oscillate.
 */
export class QualityGovernor {
  private level = 0
  private readonly minFps: number
  private readonly windowMs: number
  private windowStart: number | null = null
  private frames = 0

  constructor(start: number, options: QualityGovernorOptions = {}) {
    this.minFps = options.minFps ?? 24
    this.windowMs = options.windowMs ?? 3000
    this.windowStart = start + (options.warmupMs ?? 2000)
  }

  /** The current level's index in {@link QUALITY_LEVELS}. */
  current(): number {
    return this.level
  }

  /** Counts a frame drawn at `now` (ms); returns the new level index when quality should change, else null. */
  frame(now: number): number | null {
    if (this.windowStart === null || now < this.windowStart) return null
    this.frames++
    const elapsed = now - this.windowStart
    if (elapsed < this.windowMs) return null
    const fps = (this.frames * 1000) / elapsed
    this.windowStart = now
    this.frames = 0
    if (fps >= this.minFps || this.level >= QUALITY_LEVELS.length - 1) return null
    this.level++
    return this.level
  }
}
