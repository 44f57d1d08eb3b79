/** One poll of touch controls: a virtual stick on the left half, look by dragging on the right. */
export interface TouchState {
  forward: number
  right: number
  /** Radians turned since the last poll. */
  lookX: number
  lookY: number
  jump: boolean
}

const STICK_RADIUS_PX = 60
const LOOK_RADIANS_PER_PIXEL = 0.006

/**
 * Touch controls: a finger on the left half of the screen is a movement stick (its start point
 * is the centre), one on the right half drags the view; a quick tap on the right half jumps.
 */
export class TouchInput {
  private stick: { id: number; x0: number; y0: number; x: number; y: number } | null = null
  private look: { id: number; x: number; y: number; start: number } | null = null
  private lookDx = 0
  private lookDy = 0
  private jumpQueued = false

  constructor(private readonly target: HTMLElement) {
    target.addEventListener('touchstart', this.onStart, { passive: false })
    target.addEventListener('touchmove', this.onMove, { passive: false })
    target.addEventListener('touchend', this.onEnd)
    target.addEventListener('touchcancel', this.onEnd)
  }

  poll(): TouchState {
    const s = this.stick
    const state: TouchState = {
      forward: s === null ? 0 : clampUnit((s.y0 - s.y) / STICK_RADIUS_PX),
      right: s === null ? 0 : clampUnit((s.x - s.x0) / STICK_RADIUS_PX),
      lookX: this.lookDx * LOOK_RADIANS_PER_PIXEL,
      lookY: this.lookDy * LOOK_RADIANS_PER_PIXEL,
      jump: this.jumpQueued,
    }
    this.lookDx = 0
    this.lookDy = 0
    this.jumpQueued = false
    return state
  }

  dispose(): void {
    this.target.removeEventListener('touchstart', this.onStart)
    this.target.removeEventListener('touchmove', this.onMove)
    this.target.removeEventListener('touchend', this.onEnd)
    this.target.removeEventListener('touchcancel', this.onEnd)
  }

  private readonly onStart = (event: TouchEvent): void => {
    event.preventDefault()
    for (const t of Array.from(event.changedTouches)) {
      if (t.clientX < window.innerWidth / 2 && this.stick === null) {
        this.stick = { id: t.identifier, x0: t.clientX, y0: t.clientY, x: t.clientX, y: t.clientY }
      } else if (this.look === null) {
        this.look = { id: t.identifier, x: t.clientX, y: t.clientY, start: performance.now() }
      }
    }
  }

  private readonly onMove = (event: TouchEvent): void => {
    event.preventDefault()
    for (const t of Array.from(event.changedTouches)) {
      if (this.stick?.id === t.identifier) {
        this.stick.x = t.clientX
        this.stick.y = t.clientY
      } else if (this.look?.id === t.identifier) {
        this.lookDx += t.clientX - this.look.x
        this.lookDy += t.clientY - this.look.y
        this.look.x = t.clientX
        this.look.y = t.clientY
      }
    }
  }

  private readonly onEnd = (event: TouchEvent): void => {
    for (const t of Array.from(event.changedTouches)) {
      if (this.stick?.id === t.identifier) this.stick = null
      if (this.look?.id === t.identifier) {
        if (performance.now() - this.look.start < 200) this.jumpQueued = true
        this.look = null
      }
    }
  }
}

function clampUnit(v: number): number {
  return Math.max(-1, Math.min(1, v))
}
