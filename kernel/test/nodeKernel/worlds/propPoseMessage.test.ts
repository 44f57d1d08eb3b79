import { describe, expect, it } from 'vitest'
import { MAX_PROP_POSES_BYTES, MAX_PROPS_PER_MESSAGE, decodePropPoses, encodePropPoses } from '../../../src/nodeKernel/worlds/propPoseMessage.js'
import type { PropPoseBatch } from '../../../src/nodeKernel/physics/physicsMessages.js'

/** A batch of `count` props (indices 0..count-1), prop i at (i, 1, -i), upright. */
function batch(count: number, time = 12.5): PropPoseBatch {
  return {
    time,
    indices: Uint16Array.from({ length: count }, (_, i) => i),
    snaps: Uint8Array.from({ length: count }, (_, i) => i % 256),
    poses: Float32Array.from({ length: count * 7 }, (_, k) => [Math.floor(k / 7), 1, -Math.floor(k / 7), 0, 0, 0, 1][k % 7] as number)
  }
}

describe('prop poses on the wire', () => {
  it('round-trips a batch: sequence number, host time, indices, teleport counters and poses', () => {
    const [bytes, ...more] = encodePropPoses(41, batch(3))
    expect(more).toEqual([])
    expect(bytes?.byteLength).toBe(15 + 3 * 31)
    const decoded = decodePropPoses(bytes as Uint8Array, 3)
    expect(decoded).toEqual({ ok: true, message: { seq: 41, batch: batch(3) } })
  })

  it('splits a large batch into messages under the size limit, numbered on', () => {
    const count = MAX_PROPS_PER_MESSAGE * 2 + 5
    const messages = encodePropPoses(7, batch(count))
    expect(messages).toHaveLength(3)
    expect(Math.max(...messages.map((m) => m.byteLength))).toBeLessThanOrEqual(MAX_PROP_POSES_BYTES)
    const decoded = messages.map((m) => decodePropPoses(m, count))
    expect(decoded.map((d) => d.ok && d.message.seq)).toEqual([7, 8, 9])
    expect(decoded.map((d) => d.ok && d.message.batch.indices.length)).toEqual([MAX_PROPS_PER_MESSAGE, MAX_PROPS_PER_MESSAGE, 5])
    expect(decoded[2]?.ok && [...decoded[2].message.batch.indices]).toEqual([count - 5, count - 4, count - 3, count - 2, count - 1])
  })

  it('refuses by size before reading anything', () => {
    expect(decodePropPoses(new Uint8Array(MAX_PROP_POSES_BYTES + 1), 3)).toEqual({ ok: false, reason: 'size' })
  })

  it('refuses a message whose length does not match its count, or too short for a header', () => {
    const bytes = encodePropPoses(1, batch(2))[0] as Uint8Array
    expect(decodePropPoses(bytes.subarray(0, bytes.byteLength - 1), 2)).toEqual({ ok: false, reason: 'decode' })
    expect(decodePropPoses(new Uint8Array(10), 2)).toEqual({ ok: false, reason: 'decode' })
    expect(decodePropPoses(new TextEncoder().encode('{"props":[1,2,3]} and some more'), 2)).toEqual({ ok: false, reason: 'decode' })
  })

  it('refuses values the schema does not allow: unknown prop, not a number, far off, not a rotation, a prop twice, another version', () => {
    const bad = (edit: (b: PropPoseBatch) => void, propCount = 2): unknown => {
      const b = batch(2)
      edit(b)
      return decodePropPoses(encodePropPoses(1, b)[0] as Uint8Array, propCount)
    }
    const shape = { ok: false, reason: 'shape' }
    expect(bad(() => {}, 1)).toEqual(shape) // prop 1 of a world with one prop
    expect(bad((b) => { b.poses[0] = Number.NaN })).toEqual(shape)
    expect(bad((b) => { b.poses[2] = 1e7 })).toEqual(shape)
    expect(bad((b) => { b.poses[6] = 2 })).toEqual(shape)
    expect(bad((b) => { b.indices[1] = 0 })).toEqual(shape)
    expect(bad((b) => { b.time = Number.POSITIVE_INFINITY })).toEqual(shape)
    const versioned = encodePropPoses(1, batch(2))[0] as Uint8Array
    versioned[0] = 2
    expect(decodePropPoses(versioned, 2)).toEqual(shape)
    const empty = encodePropPoses(1, batch(2))[0]?.slice(0, 15) as Uint8Array
    new DataView(empty.buffer).setUint16(13, 0, true)
    expect(decodePropPoses(empty, 2)).toEqual(shape)
  })
})
