import { PROP_STRIDE } from './physicsMessages.js'
import type { PropPoseBatch } from './physicsMessages.js'

/**
 * How far behind the host's newest poses a follower plays them back, in seconds: one and a half
 * publish intervals at 20 Hz plus jitter, so two samples usually bracket the moment (Hyperfy's
 * buffered lerp uses 1.5 × its send interval).
 */
export const FOLLOW_DELAY_S = 0.1
/** Past this gap between the playback clock and where it should be, it jumps instead of easing. */
const MAX_CLOCK_DRIFT_S = 0.5
/** Share of the clock's error corrected each step: eases out jitter without visible speed changes. */
const CLOCK_EASE = 0.05
/** Samples kept per prop; the host sends at most a few per playback delay. */
const SAMPLES_PER_PROP = 4

interface Sample { time: number; pose: Float32Array }
interface Track { snap: number; samples: Sample[]; snapped: boolean }

/** What `sample` found for a prop. */
export type SampleResult = 'none' | 'glide' | 'snap'

/**
 * The host's prop poses as a follower plays them back: per prop a few timed samples, and one
 * playback clock that runs `delay` behind the newest host time, eased toward it so delivery jitter
 * does not show. A changed teleport counter (`snap`) drops a prop's older samples, so it jumps
 * rather than sweeping across the field; host time going back (a new host) starts over.
 */
export class PropPoseBuffer {
  private readonly tracks: Array<Track | undefined>
  private playback: number | null = null
  private newest = Number.NEGATIVE_INFINITY

  constructor (private readonly count: number, private readonly delay = FOLLOW_DELAY_S) {
    this.tracks = new Array<Track | undefined>(count)
  }

  /** Takes a batch of host poses (indices already checked against the prop count). */
  push (batch: PropPoseBatch): void {
    if (batch.time < this.newest - MAX_CLOCK_DRIFT_S) {
      // Host time went back: a new host (a migration) with a clock of its own. Start its timeline afresh.
      this.tracks.fill(undefined)
      this.newest = Number.NEGATIVE_INFINITY
      this.playback = null
    }
    for (let i = 0; i < batch.indices.length; i++) {
      const index = batch.indices[i] as number
      if (index >= this.count) continue
      const snap = batch.snaps[i] as number
      let track = this.tracks[index]
      if (track === undefined || track.snap !== snap) {
        track = { snap, samples: [], snapped: true }
        this.tracks[index] = track
      }
      const last = track.samples[track.samples.length - 1]
      // A late or repeated batch carries nothing newer for this prop.
      if (last !== undefined && batch.time <= last.time) continue
      track.samples.push({ time: batch.time, pose: batch.poses.slice(i * PROP_STRIDE, (i + 1) * PROP_STRIDE) })
      if (track.samples.length > SAMPLES_PER_PROP) track.samples.shift()
    }
    this.newest = Math.max(this.newest, batch.time)
  }

  /** Advances the playback clock by one step of `dt` seconds. */
  advance (dt: number): void {
    if (!Number.isFinite(this.newest)) return
    const target = this.newest - this.delay
    if (this.playback === null || Math.abs(target - this.playback) > MAX_CLOCK_DRIFT_S) {
      this.playback = target
      return
    }
    this.playback += dt
    this.playback += (target - this.playback) * CLOCK_EASE
  }

  /** The host's teleport counter of prop `index`, or undefined while nothing arrived for it. */
  snapOf (index: number): number | undefined {
    return this.tracks[index]?.snap
  }

  /**
   * Writes prop `index`'s pose at the playback moment into `out` (PROP_STRIDE floats): 'snap' the
   * first time after a teleport, 'glide' otherwise, 'none' (out untouched) while nothing arrived.
   */
  sample (index: number, out: Float32Array): SampleResult {
    const track = this.tracks[index]
    const first = track?.samples[0]
    if (track === undefined || first === undefined) return 'none'
    const t = this.playback ?? first.time
    const samples = track.samples
    let after = samples.findIndex((s) => s.time > t)
    if (after === -1) after = samples.length
    const older = samples[after - 1]
    const newer = samples[after]
    if (older === undefined) out.set(first.pose)
    else if (newer === undefined) out.set(older.pose)
    else blend(older.pose, newer.pose, (t - older.time) / (newer.time - older.time), out)
    if (!track.snapped) return 'glide'
    track.snapped = false
    return 'snap'
  }
}

/** Linear position and normalised-linear rotation (the shorter way round) between two poses. */
function blend (a: Float32Array, b: Float32Array, alpha: number, out: Float32Array): void {
  const t = Math.min(1, Math.max(0, alpha))
  for (let k = 0; k < 3; k++) out[k] = (a[k] as number) + ((b[k] as number) - (a[k] as number)) * t
  let dot = 0
  for (let k = 3; k < PROP_STRIDE; k++) dot += (a[k] as number) * (b[k] as number)
  const sign = dot < 0 ? -1 : 1
  let length = 0
  for (let k = 3; k < PROP_STRIDE; k++) {
    const q = (a[k] as number) + (sign * (b[k] as number) - (a[k] as number)) * t
    out[k] = q
    length += q * q
  }
  const scale = length > 0 ? 1 / Math.sqrt(length) : 1
  for (let k = 3; k < PROP_STRIDE; k++) out[k] = (out[k] as number) * scale
}
