import { describe, expect, it } from 'vitest'
import { inputManager } from '../../../src/nodeKernel/input/InputManager.js'
import type { MovementInput } from '../../../src/nodeKernel/physics/physicsMessages.js'

describe('InputManager', () => {
  it('turns actions into MovementInput and forwards only changes while started', () => {
    const seen: MovementInput[] = []
    const input = inputManager()({ onInput: (i) => { seen.push(i) } })
    input.setAxis('moveForward', 1)
    expect(seen).toEqual([])
    input.start()
    input.setAxis('moveForward', 3)
    input.setAxis('moveForward', 1)
    input.setAxis('moveRight', Number.NaN)
    input.press('run')
    input.press('run')
    input.setLook(Math.PI * 2 + 0.5, 9)
    expect(input.current()).toEqual({ forward: 1, right: 0, yaw: expect.closeTo(0.5, 6) as number, jump: false, run: true })
    expect(input.look().pitch).toBe(1.5)
    expect(seen).toHaveLength(2)
    input.stop()
    expect(input.current()).toMatchObject({ forward: 0, run: false })
  })
})
