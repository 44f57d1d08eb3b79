import { PLAYER_NAME_MAX_LENGTH, PLAYER_NAME_STORAGE_KEY, parsePlayerName, playerNameProblem } from './playerName.js'

/**
 * The player's display name: `?name=` when valid, else asked for in a small form prefilled with
 * the last name used. The chosen name is remembered in localStorage.
 */
export async function resolvePlayerName(fromUrl: string | null): Promise<string> {
  const remembered = readRemembered()
  const name = fromUrl !== null && playerNameProblem(fromUrl) === null ? parsePlayerName(fromUrl) : await promptForName(remembered ?? '')
  try {
    localStorage.setItem(PLAYER_NAME_STORAGE_KEY, name)
  } catch {
    // Storage can be disabled (private mode, policy); the name still works for this visit.
  }
  return name
}

function readRemembered(): string | null {
  try {
    return localStorage.getItem(PLAYER_NAME_STORAGE_KEY)
  } catch {
    return null
  }
}

function promptForName(initial: string): Promise<string> {
  const overlay = document.createElement('section')
  overlay.id = 'name-prompt'
  overlay.className = 'overlay'
  overlay.innerHTML = `
    <div class="card">
      <div class="brand">Peer<span>Compute</span></div>
      <form novalidate>
        <label for="name-input">Choose the name other players will see</label>
        <input id="name-input" type="text" autocomplete="nickname" spellcheck="false" maxlength="${PLAYER_NAME_MAX_LENGTH}" />
        <p class="hint" aria-live="polite"></p>
        <button type="submit">Enter the world</button>
      </form>
    </div>`
  document.body.append(overlay)
  const form = overlay.querySelector('form') as HTMLFormElement
  const input = overlay.querySelector('input') as HTMLInputElement
  const hint = overlay.querySelector('.hint') as HTMLParagraphElement
  const button = overlay.querySelector('button') as HTMLButtonElement
  input.value = initial
  const check = (): string | null => {
    const problem = input.value.length === 0 ? null : playerNameProblem(input.value)
    hint.textContent = problem ?? ''
    hint.classList.toggle('bad', problem !== null)
    button.disabled = playerNameProblem(input.value) !== null
    return problem
  }
  input.addEventListener('input', check)
  check()
  input.focus()
  input.select()
  return new Promise((resolve) => {
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      if (playerNameProblem(input.value) !== null) return
      overlay.remove()
      resolve(parsePlayerName(input.value))
    })
  })
}
