import type { MovementInput } from '../physics/physicsMessages.js'
import type { Startable } from '@libp2p/interface'

/** Analog actions, each in [-1, 1]. */
export type InputAxis = 'moveForward' | 'moveRight'
/** Held actions. */
export type InputButton = 'jump' | 'run'

export interface InputManagerInit {
  /** Largest pitch up or down, in radians. @default 1.5 */
  maxPitch?: number
}

export interface InputManagerComponents {
  /** Receives the movement input whenever it changes (the kernel forwards it to physics). */
  onInput(input: MovementInput): void
}

/**
 * Device-independent actions. Keyboard, mouse, touch and gamepad bindings live in the client and
 * call these; the kernel only sees actions, so a headless node can drive an avatar the same way.
 */
export interface InputManager extends Startable {
  setAxis(axis: InputAxis, value: number): void
  press(button: InputButton): void
  release(button: InputButton): void
  /** Sets where the avatar looks: yaw about +Y (0 faces +Z), pitch up/down, in radians. */
  setLook(yaw: number, pitch: number): void
  current(): MovementInput
  look(): { yaw: number; pitch: number }
}

class DefaultInputManager implements InputManager {
  private readonly axes: Record<InputAxis, number> = { moveForward: 0, moveRight: 0 }
  private readonly buttons: Record<InputButton, boolean> = { jump: false, run: false }
  private yaw = 0
  private pitch = 0
  private started = false

  constructor(private readonly init: InputManagerInit, private readonly components: InputManagerComponents) {}

  isStarted(): boolean { return this.started }
  start(): void { this.started = true }

  stop(): void {
    this.started = false
    this.axes.moveForward = this.axes.moveRight = 0
    this.buttons.jump = this.buttons.run = false
  }

  setAxis(axis: InputAxis, value: number): void {
    const clamped = Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 0
    if (this.axes[axis] === clamped) return
    this.axes[axis] = clamped
    this.changed()
  }

  press(button: InputButton): void { this.setButton(button, true) }
  release(button: InputButton): void { this.setButton(button, false) }

  setLook(yaw: number, pitch: number): void {
    if (!Number.isFinite(yaw) || !Number.isFinite(pitch)) return
    const maxPitch = this.init.maxPitch ?? 1.5
    const wrapped = Math.atan2(Math.sin(yaw), Math.cos(yaw))
    this.pitch = Math.max(-maxPitch, Math.min(maxPitch, pitch))
    if (wrapped === this.yaw) return
    this.yaw = wrapped
    this.changed()
  }

  current(): MovementInput {
    return { forward: this.axes.moveForward, right: this.axes.moveRight, yaw: this.yaw, jump: this.buttons.jump, run: this.buttons.run }
  }

  look(): { yaw: number; pitch: number } {
    return { yaw: this.yaw, pitch: this.pitch }
  }

  private setButton(button: InputButton, down: boolean): void {
    if (this.buttons[button] === down) return
    this.buttons[button] = down
    this.changed()
  }

  private changed(): void {
    if (this.started) this.components.onInput(this.current())
  }
}

/** Builds the InputManager: `inputManager(init)(components)`. */
export function inputManager(init: InputManagerInit = {}) {
  return (components: InputManagerComponents): InputManager => new DefaultInputManager(init, components)
}
