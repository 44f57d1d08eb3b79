/** The loading overlay in index.html: a step label and a progress bar with bytes or counts. */
export class LoadingScreen {
  private readonly root = document.getElementById('loading') as HTMLElement
  private readonly stepLabel = document.getElementById('loading-step') as HTMLElement
  private readonly fill = document.getElementById('loading-fill') as HTMLElement
  private readonly bar = this.root.querySelector('.bar') as HTMLElement
  private readonly detail = document.getElementById('loading-detail') as HTMLElement

  /** Shows what is happening now; `fraction` in [0, 1] moves the bar. */
  step(label: string, fraction?: number): void {
    this.root.classList.remove('hidden')
    this.stepLabel.textContent = label
    if (fraction !== undefined) this.setFraction(fraction)
  }

  /** Shows download progress as "1.2 MB of 3.4 MB". */
  bytes(done: number, total: number): void {
    this.setFraction(total === 0 ? 1 : done / total)
    this.detail.textContent = `${formatBytes(done)} of ${formatBytes(total)}`
  }

  /** Shows a free-form detail line under the bar. */
  note(text: string): void {
    this.detail.textContent = text
  }

  /** Fades the overlay out. */
  hide(): void {
    this.root.classList.add('hidden')
  }

  private setFraction(fraction: number): void {
    const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100)
    this.fill.style.width = `${percent}%`
    this.bar.setAttribute('aria-valuenow', String(percent))
  }
}

/** Formats a byte count for people: 512 B, 12.3 KB, 4.56 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`
}
