/** What a failed boot leaves on `window.peercompute`, for people and tests to read. */
export interface BootFailure {
  error: { name: string; message: string; step: string }
}

declare global {
  interface Window {
    /** The running PeerComputeNode after boot, or a {@link BootFailure} when boot stopped. */
    peercompute?: unknown
  }
}

/**
 * Stops the boot for good: shows the error's name and message in a full-screen panel, marks the
 * page `data-state="error"` and leaves `window.peercompute = { error }`. Nothing from the bundle
 * has run when this is called for a bundle failure; the caller must not continue afterwards.
 */
export function showFatalError(step: string, err: unknown): BootFailure {
  const { name, message } = describeError(err)
  const failure: BootFailure = { error: { name, message, step } }
  window.peercompute = failure
  document.body.dataset.state = 'error'
  document.getElementById('loading')?.classList.add('hidden')
  document.getElementById('error')?.remove()
  const panel = document.createElement('section')
  panel.id = 'error'
  panel.dataset.testid = 'error'
  panel.className = 'overlay'
  panel.setAttribute('role', 'alert')
  const card = document.createElement('div')
  card.className = 'card'
  const title = document.createElement('h1')
  title.textContent = `Could not ${step}`
  const nameLine = document.createElement('p')
  nameLine.className = 'error-name'
  nameLine.textContent = name
  const messageLine = document.createElement('p')
  messageLine.className = 'error-message'
  messageLine.textContent = message
  const note = document.createElement('p')
  note.className = 'error-note'
  note.textContent = 'Nothing from this world was run. Reload the page to try again.'
  card.append(title, nameLine, messageLine, note)
  panel.append(card)
  document.body.append(panel)
  console.error(`[peercompute] ${step} failed:`, err)
  return failure
}

/** The name and message of anything thrown; a non-Error (e.g. a bare DOM Event) gets a readable one. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message || String(err) }
  if (typeof Event !== 'undefined' && err instanceof Event) {
    return { name: 'Error', message: `A browser ${err.type} event interrupted the start; check the network and reload.` }
  }
  return { name: 'Error', message: String(err) }
}
