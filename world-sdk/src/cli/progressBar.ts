import { formatBytes } from '@peercompute/signing'

/** A progress report on stderr: a redrawn bar on a terminal, plain lines at each quarter otherwise. */
export interface ProgressBar {
  /** Sets the amount done (bytes). */
  update(done: number): void
  /** Ends the bar (a newline on a terminal). */
  finish(): void
}

const WIDTH = 28

/** Starts a progress bar for `total` bytes labelled `label`, written to `stream` (default stderr). */
export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const tty = stream.isTTY === true
  let lastQuarter = 0
  let lastDraw = 0
  let finished = false
  const draw = (done: number, force: boolean): void => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total)
    if (tty) {
      const now = Date.now()
      if (!force && now - lastDraw < 50) return
      lastDraw = now
      const filled = Math.round(fraction * WIDTH)
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`
      stream.write(`\r${label} ${bar} ${String(Math.round(fraction * 100)).padStart(3)}%  ${formatBytes(done)} of ${formatBytes(total)}\x1b[K`)
      return
    }
    const quarter = Math.floor(fraction * 4)
    if (quarter > lastQuarter) {
      lastQuarter = quarter
      stream.write(`${label}: ${quarter * 25}% (${formatBytes(done)} of ${formatBytes(total)})\n`)
    }
  }
  draw(0, true)
  return {
    update: (done) => draw(done, false),
    finish: () => {
      if (finished) return
      finished = true
      draw(total, true)
      if (tty) stream.write('\n')
    },
  }
}
