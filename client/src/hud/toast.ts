/** How long a toast stays on screen. */
const TOAST_MS = 8_000

/**
 * Short messages at the bottom centre of the screen (`data-testid="toast"`), e.g. why a world
 * could not be joined; each fades after 8 s, the newest at the bottom.
 */
export class Toasts {
  private readonly root = document.createElement('div')
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  constructor(parent: HTMLElement) {
    this.root.id = 'toasts'
    this.root.setAttribute('role', 'status')
    this.root.setAttribute('aria-live', 'polite')
    parent.append(this.root)
  }

  /** Shows `message`; `bad` marks it as an error. */
  show(message: string, bad = false): void {
    const toast = document.createElement('div')
    toast.className = bad ? 'toast bad' : 'toast'
    toast.dataset.testid = 'toast'
    toast.textContent = message
    this.root.append(toast)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      toast.remove()
    }, TOAST_MS)
    this.timers.add(timer)
  }

  /** Removes every toast and the container. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.root.remove()
  }
}
