import { describe, expect, it } from 'vitest'
import { decideRenderer, shouldProbeWebGPU } from '../../src/render/engineChoice.js'

describe('shouldProbeWebGPU', () => {
  it('tries WebGPU only when the browser has navigator.gpu and WebGL2 is not forced', () => {
    expect(shouldProbeWebGPU('auto', true)).toBe(true)
    expect(shouldProbeWebGPU('webgpu', true)).toBe(true)
    expect(shouldProbeWebGPU('auto', false)).toBe(false)
    expect(shouldProbeWebGPU('webgl2', true)).toBe(false)
  })
})

describe('decideRenderer', () => {
  it('uses WebGPU only after a good test frame', () => {
    expect(decideRenderer('auto', { kind: 'ok' }).renderer).toBe('webgpu')
  })

  it('falls back to WebGL2 when the test frame failed or the device was lost', () => {
    const decision = decideRenderer('auto', { kind: 'failed', reason: 'device lost' })
    expect(decision).toEqual({ renderer: 'webgl2', reason: 'WebGPU failed its test frame: device lost' })
  })

  it('falls back to WebGL2 without an adapter, even when WebGPU was asked for', () => {
    expect(decideRenderer('webgpu', { kind: 'unavailable', reason: 'no GPU adapter' }).renderer).toBe('webgl2')
  })

  it('says when WebGL2 was forced', () => {
    expect(decideRenderer('webgl2', { kind: 'skipped' }).reason).toMatch(/renderer=webgl2/)
  })
})
