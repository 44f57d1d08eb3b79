import { describe, expect, it } from 'vitest'
import { FOLLOW_DELAY_S, PropPoseBuffer } from '../../../src/nodeKernel/physics/propPoseBuffer.js'
import type { PropPoseBatch } from '../../../src/nodeKernel/physics/physicsMessages.js'

/** A batch with prop `index` at (x, 0, 0), upright, teleport counter `snap`, at host time `time`. */
function batch (time: number, index: number, x: number, snap = 0, rotation: [number, number, number, number] = [0, 0, 0, 1]): PropPoseBatch {
  return { time, indices: Uint16Array.of(index), snaps: Uint8Array.of(snap), poses: Float32Array.of(x, 0, 0, ...rotation) }
}

/** A buffer for one prop (index 0) that holds the host's samples `[time, x]`, and an output pose. */
function bufferOf (...samples: Array<[time: number, x: number]>): { buffer: PropPoseBuffer; out: Float32Array } {
  const buffer = new PropPoseBuffer(1)
  for (const [time, x] of samples) buffer.push(batch(time, 0, x))
  return { buffer, out: new Float32Array(7) }
}

describe('PropPoseBuffer', () => {
  it('has nothing for a prop until the host sent it', () => {
    const buffer = new PropPoseBuffer(2)
    const out = new Float32Array(7).fill(9)
    expect(buffer.sample(0, out)).toBe('none')
    expect(out[0]).toBe(9)
    buffer.push(batch(1, 1, 5))
    expect(buffer.sample(0, out)).toBe('none')
    expect(buffer.snapOf(1)).toBe(0)
  })

  it('plays the host\'s poses back a delay behind the newest, interpolated between the samples around that moment', () => {
    const { buffer, out } = bufferOf([1.0, 0], [1.1, 10], [1.2, 20])
    buffer.advance(1 / 60) // the clock starts at newest - delay
    expect(buffer.sample(0, out)).toBe('snap') // the first pose of a prop is a jump, not a glide
    expect(out[0]).toBeCloseTo((1.2 - FOLLOW_DELAY_S - 1.0) / 0.1 * 10, 3)
    buffer.advance(0.05)
    expect(buffer.sample(0, out)).toBe('glide')
    // Between the second and third samples, moving forward with the clock.
    expect(out[0]).toBeGreaterThan(10)
    expect(out[0]).toBeLessThan(20)
  })

  it('holds the newest pose when the clock runs past it, and never goes back for a late batch', () => {
    const { buffer, out } = bufferOf([1.0, 0], [1.1, 10])
    buffer.advance(0)
    for (let i = 0; i < 30; i++) buffer.advance(1 / 60)
    buffer.sample(0, out)
    expect(out[0]).toBeCloseTo(10, 5)
    buffer.push(batch(1.05, 0, -100))
    buffer.sample(0, out)
    expect(out[0]).toBeCloseTo(10, 5)
  })

  it('jumps on a new teleport counter instead of gliding from the old pose', () => {
    const buffer = new PropPoseBuffer(1)
    const out = new Float32Array(7)
    buffer.push(batch(1.0, 0, 0))
    buffer.push(batch(1.1, 0, 1))
    buffer.advance(0)
    buffer.sample(0, out)
    buffer.push(batch(1.15, 0, 50, 1))
    buffer.advance(1 / 60)
    expect(buffer.sample(0, out)).toBe('snap')
    expect(out[0]).toBeCloseTo(50, 5)
    expect(buffer.snapOf(0)).toBe(1)
  })

  it('starts over when host time goes back (a new host after a migration has a clock of its own)', () => {
    const buffer = new PropPoseBuffer(1)
    const out = new Float32Array(7)
    buffer.push(batch(100, 0, 1))
    buffer.push(batch(100.05, 0, 2))
    buffer.advance(1 / 60)
    buffer.sample(0, out)
    buffer.push(batch(3, 0, 7))
    buffer.advance(1 / 60)
    expect(buffer.sample(0, out)).toBe('snap')
    expect(out[0]).toBeCloseTo(7, 5)
    buffer.push(batch(3.05, 0, 8))
    buffer.push(batch(3.1, 0, 9))
    for (let i = 0; i < 6; i++) buffer.advance(1 / 60)
    expect(buffer.sample(0, out)).toBe('glide')
    expect(out[0]).toBeGreaterThan(7.1) // on along the new host's timeline
  })

  it('turns the shorter way round and keeps the rotation a unit quaternion', () => {
    const half = Math.SQRT1_2
    // Played back half a second behind the newest sample: halfway between the two.
    const buffer = new PropPoseBuffer(1, 0.5)
    const out = new Float32Array(7)
    buffer.push(batch(0, 0, 0, 0, [0, 0, 0, 1]))
    // -q is the same rotation as q: blending toward it must not swing through 360 degrees.
    buffer.push(batch(1, 0, 0, 0, [0, -half, 0, -half]))
    buffer.advance(0)
    buffer.sample(0, out)
    const [qx, qy, qz, qw] = [out[3] as number, out[4] as number, out[5] as number, out[6] as number]
    expect(Math.hypot(qx, qy, qz, qw)).toBeCloseTo(1, 5)
    // Halfway from identity to 90 degrees about +y is 45 degrees about +y: (0, sin 22.5°, 0, cos 22.5°).
    expect(Math.abs(qy)).toBeCloseTo(Math.sin(Math.PI / 8), 3)
    expect(Math.abs(qw)).toBeCloseTo(Math.cos(Math.PI / 8), 3)
    expect(Math.sign(qy)).toBe(Math.sign(qw))
  })
})
