import { describe, expect, it } from 'vitest'
import { FixedStepLoop } from '../../../src/nodeKernel/physics/fixedStepLoop.js'

function loopAt (clock: { ms: number }, maxSubsteps?: number) {
  const steps: number[] = []
  let frames = 0
  const errors: unknown[] = []
  const loop = new FixedStepLoop({
    timeStep: 0.01,
    ...(maxSubsteps === undefined ? {} : { maxSubsteps }),
    step: (dt) => { steps.push(dt) },
    afterSteps: () => { frames++ },
    onError: (err) => { errors.push(err) },
    now: () => clock.ms
  })
  return { loop, steps, frames: () => frames, errors }
}

describe('FixedStepLoop', () => {
  it('runs one fixed step per elapsed time step and carries the remainder', () => {
    const clock = { ms: 0 }
    const { loop, steps, frames } = loopAt(clock)
    loop.start()
    clock.ms = 25
    loop.tick()
    expect(steps).toEqual([0.01, 0.01])
    clock.ms = 30
    loop.tick()
    expect(steps).toHaveLength(3)
    clock.ms = 30.5
    loop.tick()
    expect(steps).toHaveLength(3)
    expect(frames()).toBe(2)
    loop.stop()
    expect(loop.isRunning()).toBe(false)
  })

  it('caps a stall at maxSubsteps and drops the backlog', () => {
    const clock = { ms: 0 }
    const { loop, steps } = loopAt(clock, 4)
    loop.start()
    clock.ms = 1000
    loop.tick()
    expect(steps).toHaveLength(4)
    clock.ms = 1010
    loop.tick()
    expect(steps.length).toBeLessThanOrEqual(6)
    loop.stop()
  })

  it('stops and reports a step that throws instead of throwing from the timer', () => {
    const clock = { ms: 0 }
    const loop = new FixedStepLoop({
      timeStep: 0.01,
      step: () => { throw new Error('boom') },
      afterSteps: () => {},
      onError: (err) => { caught = err },
      now: () => clock.ms
    })
    let caught: unknown = null
    loop.start()
    clock.ms = 20
    loop.tick()
    expect(caught).toBeInstanceOf(Error)
    expect(loop.isRunning()).toBe(false)
  })
})
