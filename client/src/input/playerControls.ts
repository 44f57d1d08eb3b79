import { MAX_PITCH, MIN_PITCH } from '../render/thirdPersonCamera.js'
import { GamepadInput } from './gamepadInput.js'
import { TouchInput } from './touchInput.js'

/** What the avatar should do now; the shape of the kernel's MovementInput. */
export interface MovementIntent {
  forward: number
  right: number
  yaw: number
  jump: boolean
  run: boolean
}

const FORWARD = new Set(['KeyW', 'ArrowUp'])
const BACK = new Set(['KeyS', 'ArrowDown'])
const LEFT = new Set(['KeyA', 'ArrowLeft'])
const RIGHT = new Set(['KeyD', 'ArrowRight'])
const MOUSE_RADIANS_PER_PIXEL = 0.0025

/**
 * Keyboard (WASD/arrows, Space jumps, Shift runs), mouse look under pointer lock (click the
 * canvas), plus gamepad and touch, merged into one {@link MovementIntent}. The camera reads
 * `yaw`/`pitch`; the avatar moves relative to the camera's heading.
 */
export class PlayerControls {
  yaw = 0
  pitch = 0.35
  private readonly keys = new Set<string>()
  private readonly gamepad = new GamepadInput()
  private readonly touch: TouchInput
  private enabled = true

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.touch = new TouchInput(canvas)
    window.addEventListener('keydown', this.onKeyDown)
    window.addEventListener('keyup', this.onKeyUp)
    window.addEventListener('blur', this.onBlur)
    canvas.addEventListener('click', this.onClick)
    document.addEventListener('mousemove', this.onMouseMove)
  }

  /** Turns keyboard movement off (e.g. while typing in chat) and forgets held keys. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled
    if (!enabled) this.keys.clear()
  }

  /** Merges all devices into this frame's intent; `dt` (s) turns gamepad/touch look rates into angles. */
  poll(dt: number): MovementIntent {
    const pad = this.gamepad.poll()
    const touch = this.touch.poll()
    this.yaw += pad.lookX * 2.6 * dt + touch.lookX
    this.pitch = clamp(this.pitch + pad.lookY * 1.8 * dt + touch.lookY, MIN_PITCH, MAX_PITCH)
    const key = (set: Set<string>): number => ([...set].some((code) => this.keys.has(code)) ? 1 : 0)
    const forward = clamp(key(FORWARD) - key(BACK) + pad.forward + touch.forward, -1, 1)
    const right = clamp(key(RIGHT) - key(LEFT) + pad.right + touch.right, -1, 1)
    return {
      forward,
      right,
      yaw: this.yaw,
      jump: this.keys.has('Space') || pad.jump || touch.jump,
      run: this.keys.has('ShiftLeft') || this.keys.has('ShiftRight') || pad.run,
    }
  }

  /** Removes every listener. */
  dispose(): void {
    window.removeEventListener('keydown', this.onKeyDown)
    window.removeEventListener('keyup', this.onKeyUp)
    window.removeEventListener('blur', this.onBlur)
    this.canvas.removeEventListener('click', this.onClick)
    document.removeEventListener('mousemove', this.onMouseMove)
    this.touch.dispose()
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (!this.enabled || isTyping(event.target)) return
    this.keys.add(event.code)
    if (event.code === 'Space' || event.code.startsWith('Arrow')) event.preventDefault()
  }

  private readonly onKeyUp = (event: KeyboardEvent): void => {
    this.keys.delete(event.code)
  }

  private readonly onBlur = (): void => {
    this.keys.clear()
  }

  private readonly onClick = (): void => {
    if (document.pointerLockElement !== this.canvas) {
      // Some browsers reject (headless, iframes without permission); mouse look then stays off.
      Promise.resolve(this.canvas.requestPointerLock()).catch(() => undefined)
    }
  }

  private readonly onMouseMove = (event: MouseEvent): void => {
    // Under pointer lock every movement looks; without it (lock refused), dragging does.
    const dragging = (event.buttons & 1) === 1 && event.target === this.canvas
    if (document.pointerLockElement !== this.canvas && !dragging) return
    this.yaw += event.movementX * MOUSE_RADIANS_PER_PIXEL
    this.pitch = clamp(this.pitch + event.movementY * MOUSE_RADIANS_PER_PIXEL, MIN_PITCH, MAX_PITCH)
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement
}
