import { describe, expect, it } from 'vitest'
import { QUALITY_LEVELS, QualityGovernor } from '../../src/render/qualityGovernor.js'

/** Feeds frames at `fps` from `from` to `to` ms; returns the level changes seen. */
function run(governor: QualityGovernor, fps: number, from: number, to: number): number[] {
  const changes: number[] = []
  for (let t = from; t <= to; t += 1000 / fps) {
    const change = governor.frame(t)
    if (change !== null) changes.push(change)
  }
  return changes
}

describe('QualityGovernor', () => {
  it('keeps full quality when frames are fast enough', () => {
    const governor = new QualityGovernor(0)
    expect(run(governor, 60, 0, 20_000)).toEqual([])
    expect(governor.current()).toBe(0)
  })

  it('ignores the warm-up, then steps down one level per slow window until the cheapest', () => {
    const governor = new QualityGovernor(0, { warmupMs: 2000, windowMs: 3000, minFps: 24 })
    expect(run(governor, 5, 0, 1999)).toEqual([])
    expect(run(governor, 10, 2000, 30_000)).toEqual([1, 2, 3])
    expect(QUALITY_LEVELS[governor.current()]).toEqual({ scaling: 2, shadows: false })
  })

  it('never steps back up', () => {
    const governor = new QualityGovernor(0, { warmupMs: 0 })
    run(governor, 10, 0, 3100)
    expect(governor.current()).toBe(1)
    expect(run(governor, 120, 3200, 30_000)).toEqual([])
    expect(governor.current()).toBe(1)
  })
})
