import { describe, expect, it } from 'vitest'
import { InterpolationBuffer, lerpAngle } from '../../src/render/interpolation.js'

const at = (t: number, x: number, yaw = 0, v?: [number, number, number]) => ({ t, p: [x, 0, 0] as [number, number, number], yaw, ...(v ? { v } : {}) })

describe('InterpolationBuffer', () => {
  it('returns null before any sample', () => {
    expect(new InterpolationBuffer().sampleAt(1000)).toBeNull()
  })

  it('draws delayMs in the past, interpolating linearly between the bracketing samples', () => {
    const buffer = new InterpolationBuffer({ delayMs: 100 })
    // Sender clock starts at 5_000; each sample arrives 20 ms after it was sent.
    for (let i = 0; i <= 10; i++) buffer.push(at(5000 + i * 50, i), 9000 + i * 50 + 20)
    // Local 9_320 maps to sender 5_300, minus 100 ms delay → 5_200: exactly sample 4.
    expect(buffer.sampleAt(9320)?.position[0]).toBeCloseTo(4)
    // 25 ms later → halfway between samples 4 and 5.
    expect(buffer.sampleAt(9345)?.position[0]).toBeCloseTo(4.5)
  })

  it('maps the sender clock by the fastest delivery, so jitter does not move the timeline', () => {
    const buffer = new InterpolationBuffer({ delayMs: 100 })
    buffer.push(at(0, 0), 1020)
    buffer.push(at(50, 1), 1150) // 80 ms late
    buffer.push(at(100, 2), 1120)
    // offset = 1020; local 1190 → sender 170 - 100 = 70: 40% from sample 1 to 2.
    expect(buffer.sampleAt(1190)?.position[0]).toBeCloseTo(1.4)
  })

  it('ignores duplicates and places late arrivals in order', () => {
    const buffer = new InterpolationBuffer({ delayMs: 0 })
    buffer.push(at(0, 0), 0)
    buffer.push(at(100, 10), 100)
    buffer.push(at(100, 99), 100)
    buffer.push(at(50, 5), 60)
    expect(buffer.size()).toBe(3)
    expect(buffer.sampleAt(75)?.position[0]).toBeCloseTo(7.5)
  })

  it('holds the oldest sample before the buffer starts, and extrapolates with velocity for a bounded time', () => {
    const buffer = new InterpolationBuffer({ delayMs: 0, maxExtrapolateMs: 200 })
    buffer.push(at(0, 0, 0, [2, 0, 0]), 0)
    buffer.push(at(100, 1, 0, [10, 0, 0]), 100)
    expect(buffer.sampleAt(-50)?.position[0]).toBe(0)
    expect(buffer.sampleAt(150)?.position[0]).toBeCloseTo(1.5)
    expect(buffer.sampleAt(10_000)?.position[0]).toBeCloseTo(3)
  })

  it('keeps at most maxSamples', () => {
    const buffer = new InterpolationBuffer({ maxSamples: 4 })
    for (let i = 0; i < 10; i++) buffer.push(at(i * 10, i), i * 10)
    expect(buffer.size()).toBe(4)
    expect(buffer.newestTime()).toBe(90)
  })
})

describe('lerpAngle', () => {
  it('turns the short way across ±π', () => {
    const a = Math.PI - 0.1
    const b = -Math.PI + 0.1
    const mid = lerpAngle(a, b, 0.5)
    expect(Math.abs(Math.cos(mid) - -1)).toBeLessThan(1e-9)
  })
})
