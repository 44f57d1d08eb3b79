/** One presence sample of a remote player, stamped with the sender's clock (`t`, ms). */
export interface PresenceSample {
  t: number
  p: readonly [number, number, number]
  yaw: number
  v?: readonly [number, number, number]
}

/** Where to draw a remote player now. */
export interface InterpolatedPose {
  position: [number, number, number]
  yaw: number
}

/** How {@link InterpolationBuffer} trades latency for smoothness. */
export interface InterpolationOptions {
  /** How far in the past remote players are drawn, so two samples usually bracket the moment. @default 100 */
  delayMs?: number
  /** Samples kept per player. @default 32 */
  maxSamples?: number
  /** Longest stretch past the newest sample that velocity may carry a player. @default 250 */
  maxExtrapolateMs?: number
}

/**
 * Snapshot interpolation for one remote player. Samples are keyed by their send time; the
 * sender's clock is mapped onto ours by the smallest (receive − send) seen, i.e. the fastest
 * delivery, so jittery delivery does not shift the timeline. Each frame is drawn `delayMs`
 * in the past, linearly interpolated between the two samples around that moment.
 */
export class InterpolationBuffer {
  private readonly samples: PresenceSample[] = []
  private readonly delayMs: number
  private readonly maxSamples: number
  private readonly maxExtrapolateMs: number
  private offset = Number.POSITIVE_INFINITY

  constructor(options: InterpolationOptions = {}) {
    this.delayMs = options.delayMs ?? 100
    this.maxSamples = options.maxSamples ?? 32
    this.maxExtrapolateMs = options.maxExtrapolateMs ?? 250
  }

  /** Adds a sample received at local time `receivedAt` (ms). Repeats and late arrivals of known times are ignored. */
  push(sample: PresenceSample, receivedAt: number): void {
    if (!Number.isFinite(sample.t)) return
    const last = this.samples[this.samples.length - 1]
    if (last !== undefined && sample.t <= last.t) {
      if (this.samples.some((s) => s.t === sample.t)) return
      const at = this.samples.findIndex((s) => s.t > sample.t)
      this.samples.splice(at, 0, sample)
    } else {
      this.samples.push(sample)
    }
    if (this.samples.length > this.maxSamples) this.samples.splice(0, this.samples.length - this.maxSamples)
    this.offset = Math.min(this.offset, receivedAt - sample.t)
  }

  /** Number of samples held. */
  size(): number {
    return this.samples.length
  }

  /** Send time of the newest sample, or null when empty. */
  newestTime(): number | null {
    return this.samples[this.samples.length - 1]?.t ?? null
  }

  /** The pose to draw at local time `now` (ms), or null before the first sample. */
  sampleAt(now: number): InterpolatedPose | null {
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    if (first === undefined || last === undefined) return null
    const t = now - this.offset - this.delayMs
    if (t <= first.t) return pose(first.p, first.yaw)
    if (t >= last.t) {
      const ahead = Math.min(t - last.t, this.maxExtrapolateMs) / 1000
      const v = last.v ?? [0, 0, 0]
      return pose([last.p[0] + v[0] * ahead, last.p[1] + v[1] * ahead, last.p[2] + v[2] * ahead], last.yaw)
    }
    let i = this.samples.length - 2
    while (i > 0 && (this.samples[i] as PresenceSample).t > t) i--
    const a = this.samples[i] as PresenceSample
    const b = this.samples[i + 1] as PresenceSample
    const k = (t - a.t) / (b.t - a.t)
    return pose(
      [lerp(a.p[0], b.p[0], k), lerp(a.p[1], b.p[1], k), lerp(a.p[2], b.p[2], k)],
      lerpAngle(a.yaw, b.yaw, k),
    )
  }
}

function pose(p: readonly [number, number, number], yaw: number): InterpolatedPose {
  return { position: [p[0], p[1], p[2]], yaw }
}

function lerp(a: number, b: number, k: number): number {
  return a + (b - a) * k
}

/** Interpolates angles (radians) the short way round, so 359° → 1° does not spin backwards. */
export function lerpAngle(a: number, b: number, k: number): number {
  const d = Math.atan2(Math.sin(b - a), Math.cos(b - a))
  return a + d * k
}
