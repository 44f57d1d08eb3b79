import { describe, expect, it } from 'vitest'
import { MAX_SCRIPT_TASK_ELEMENTS, scriptIntentSchema } from '../../src/index.js'

const task = (over: Record<string, unknown>): unknown => ({ type: 'task', name: 'rows', task: { type: 'cpu', kernel: 'terrain', array: 'u32', input: [0, 4], ...over } })

describe('script task intents', () => {
  it('takes a CPU kernel or a WGSL shader over numbers, split or not', () => {
    expect(scriptIntentSchema.safeParse(task({})).success).toBe(true)
    expect(scriptIntentSchema.safeParse(task({ split: { units: 33, unitsPerChunk: 8, outputPerUnit: 33 } })).success).toBe(true)
    const shader = { type: 'webgpu', shader: '@compute @workgroup_size(1) fn main() {}', outputLength: 4, workgroups: 1, array: 'f32', input: [1.5] }
    expect(scriptIntentSchema.safeParse({ type: 'task', name: 'gpu', task: shader }).success).toBe(true)
  })

  it.each([
    ['too many numbers', task({ input: new Array(MAX_SCRIPT_TASK_ELEMENTS + 1).fill(0) })],
    ['no numbers', task({ input: [] })],
    ['a number that is not finite', task({ input: [Number.NaN] })],
    ['an unknown array type', task({ array: 'f64' })],
    ['an output too large for a script', { type: 'task', name: 'gpu', task: { type: 'webgpu', shader: 'x', outputLength: MAX_SCRIPT_TASK_ELEMENTS + 1, workgroups: 1, array: 'u32', input: [1] } }],
    ['a shader over 48 KiB', { type: 'task', name: 'gpu', task: { type: 'webgpu', shader: 'x'.repeat(48 * 1024 + 1), outputLength: 1, workgroups: 1, array: 'u32', input: [1] } }],
    ['a field it does not know', task({ module: 'import("x")' })],
  ])('refuses %s', (_what, intent) => {
    expect(scriptIntentSchema.safeParse(intent).success).toBe(false)
  })
})
