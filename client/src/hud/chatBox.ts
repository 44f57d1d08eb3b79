/** A chat line as the kernel stores it. */
export interface ChatLine {
  author: string
  name: string
  time: number
  text: string
}

/** How many lines the chat box keeps on screen. */
const SHOWN_LINES = 60

/**
 * The chat box, bottom left: Enter focuses the input (and sends when it has text), Escape leaves
 * it. `onFocusChange` lets the game stop reading movement keys while the player types.
 */
export class ChatBox {
  private readonly root = document.createElement('div')
  private readonly log = document.createElement('div')
  private readonly input = document.createElement('input')
  private shownKey = ''

  constructor(
    parent: HTMLElement,
    private readonly selfId: string,
    private readonly send: (text: string) => void,
    private readonly onFocusChange: (typing: boolean) => void,
    maxLength: number,
  ) {
    this.root.id = 'chat'
    this.root.dataset.testid = 'chat'
    this.log.className = 'log'
    this.log.setAttribute('aria-live', 'polite')
    this.input.type = 'text'
    this.input.placeholder = 'Press Enter to chat'
    this.input.maxLength = maxLength
    this.input.spellcheck = false
    this.input.setAttribute('aria-label', 'Chat message')
    this.root.append(this.log, this.input)
    parent.append(this.root)
    window.addEventListener('keydown', this.onWindowKey)
    this.input.addEventListener('keydown', this.onInputKey)
    this.input.addEventListener('focus', () => this.onFocusChange(true))
    this.input.addEventListener('blur', () => this.onFocusChange(false))
  }

  /** Shows the latest lines; cheap to call every frame (re-renders only when they changed). */
  show(lines: readonly ChatLine[]): void {
    const last = lines[lines.length - 1]
    const key = `${lines.length}:${last?.author ?? ''}:${last?.time ?? 0}`
    if (key === this.shownKey) return
    this.shownKey = key
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4
    this.log.replaceChildren(...lines.slice(-SHOWN_LINES).map((line) => this.renderLine(line)))
    if (atBottom) this.log.scrollTop = this.log.scrollHeight
  }

  /** Shows a line from the client itself (e.g. why a message was refused). */
  notice(text: string): void {
    const line = document.createElement('div')
    line.className = 'msg notice'
    line.textContent = text
    this.log.append(line)
    this.log.scrollTop = this.log.scrollHeight
    this.shownKey = ''
  }

  dispose(): void {
    window.removeEventListener('keydown', this.onWindowKey)
    this.root.remove()
  }

  private renderLine(line: ChatLine): HTMLDivElement {
    const row = document.createElement('div')
    row.className = line.author === this.selfId ? 'msg self' : 'msg'
    const who = document.createElement('span')
    who.className = 'who'
    who.textContent = line.name
    const text = document.createElement('span')
    text.textContent = line.text
    row.append(who, text)
    return row
  }

  private readonly onWindowKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && document.activeElement !== this.input) {
      event.preventDefault()
      if (document.pointerLockElement !== null) document.exitPointerLock()
      this.input.focus()
    }
  }

  private readonly onInputKey = (event: KeyboardEvent): void => {
    event.stopPropagation()
    if (event.key === 'Escape') {
      this.input.value = ''
      this.input.blur()
    } else if (event.key === 'Enter') {
      event.preventDefault()
      const text = this.input.value.trim()
      if (text.length > 0) {
        try {
          this.send(text)
          this.input.value = ''
        } catch (err) {
          this.notice(err instanceof Error ? err.message : String(err))
          return
        }
      }
      this.input.blur()
    }
  }
}
