/** One poll of the first connected gamepad (standard mapping). */
export interface GamepadState {
  forward: number
  right: number
  lookX: number
  lookY: number
  jump: boolean
  run: boolean
}

const IDLE: GamepadState = { forward: 0, right: 0, lookX: 0, lookY: 0, jump: false, run: false }
const DEAD_ZONE = 0.15

/** Reads the first standard gamepad: left stick moves, right stick looks, A jumps, left stick click or LB runs. */
export class GamepadInput {
  poll(): GamepadState {
    if (typeof navigator.getGamepads !== 'function') return IDLE
    const pad = navigator.getGamepads().find((p) => p !== null && p.connected)
    if (pad === undefined || pad === null) return IDLE
    const axis = (i: number): number => {
      const v = pad.axes[i] ?? 0
      return Math.abs(v) < DEAD_ZONE ? 0 : v
    }
    const pressed = (i: number): boolean => pad.buttons[i]?.pressed ?? false
    return {
      forward: -axis(1),
      right: axis(0),
      lookX: axis(2),
      lookY: axis(3),
      jump: pressed(0),
      run: pressed(10) || pressed(4),
    }
  }
}
