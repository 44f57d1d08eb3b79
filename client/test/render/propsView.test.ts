import { describe, expect, it } from 'vitest'
import { PropPoseSmoother } from '../../src/render/propsView.js'

/** One prop at (x, 0, 0), turned `angle` radians about +y. */
const frame = (x: number, angle = 0): Float32Array => Float32Array.of(x, 0, 0, 0, Math.sin(angle / 2), 0, Math.cos(angle / 2))

describe('PropPoseSmoother', () => {
  it('draws nothing before the first frame, then that frame as is', () => {
    const smoother = new PropPoseSmoother(1)
    expect(smoother.sample(null, 0)).toBeNull()
    const first = frame(1)
    expect(smoother.sample(first, 10)).toBe(first)
    expect(smoother.sample(new Float32Array(3), 12)).toBe(first) // a frame of the wrong length is ignored
  })

  it('glides from the previous frame to the latest over one frame interval, at any screen rate', () => {
    const smoother = new PropPoseSmoother(1)
    smoother.sample(frame(0), 0)
    const latest = frame(1, Math.PI / 2)
    // Frames 20 ms apart; drawn at 144 Hz in between.
    expect(smoother.sample(latest, 20)?.[0]).toBeCloseTo(0, 5)
    expect(smoother.sample(latest, 25)?.[0]).toBeCloseTo(0.25, 5)
    const halfway = smoother.sample(latest, 30)
    expect(halfway?.[0]).toBeCloseTo(0.5, 5)
    expect(halfway?.[4]).toBeCloseTo(Math.sin(Math.PI / 8), 3) // 45 degrees, a unit quaternion
    expect(smoother.sample(latest, 45)?.[0]).toBeCloseTo(1, 5) // and holds the latest after the interval
  })

  it('draws a jump (a ball put back on its spot) at once instead of sweeping across the field', () => {
    const smoother = new PropPoseSmoother(1)
    smoother.sample(frame(0), 0)
    smoother.sample(frame(0.1), 16)
    expect(smoother.sample(frame(12), 32)?.[0]).toBeCloseTo(12, 5)
  })
})
