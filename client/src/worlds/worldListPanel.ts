import { shortThumbprint, type ListedWorld } from './worldList.js'

/** Why Join is not offered for a sub-world nobody hosts. */
export const JOIN_UNAVAILABLE_HINT = 'Nobody hosts this world now: host it yourself.'

/** What the panel's buttons do: join or host world `id` (the caller shows progress and errors). */
export interface WorldActions {
  join(id: string): void
  host(id: string): void
  /** Hosts the world in a signed bundle file (`.pcb`) the player picked. */
  hostFile(file: File): void
}

/** Keys that open and close the panel (outside text fields). */
const TOGGLE_KEYS = new Set(['Tab', 'KeyL'])

/**
 * The published worlds, in a panel on the right that the "Worlds" button, `Tab` or `L` toggles
 * (`Escape` closes it): each world's name, version, id, parent and short publisher thumbprint,
 * with a Join button (enabled where someone hosts it, or for a top-level world) and a Host
 * button (sub-worlds: hosts the world on this node). Buttons stay disabled while `busy`.
 */
export class WorldListPanel {
  private readonly button = document.createElement('button')
  private readonly panel = document.createElement('aside')
  private readonly list = document.createElement('ul')
  private readonly note = document.createElement('p')
  private readonly fileInput = document.createElement('input')
  private worlds: readonly ListedWorld[] = []
  private actions: WorldActions | null = null
  private busy = false
  private hosting: string | null = null

  /**
   * @param currentWorld id of the world this page runs (marked "you are here").
   * @param onOpen called each time the panel opens (the caller refreshes the list).
   */
  constructor(
    parent: HTMLElement,
    private currentWorld: string,
    private readonly onOpen: () => void = () => undefined,
  ) {
    this.button.type = 'button'
    this.button.id = 'worlds-button'
    this.button.dataset.testid = 'worlds-button'
    this.button.textContent = 'Worlds'
    this.button.title = 'Published worlds (Tab or L)'
    this.button.setAttribute('aria-controls', 'worlds')
    this.button.setAttribute('aria-expanded', 'false')
    this.button.addEventListener('click', this.onButton)

    this.panel.id = 'worlds'
    this.panel.dataset.testid = 'worlds'
    this.panel.hidden = true
    this.panel.setAttribute('aria-label', 'Published worlds')
    const title = document.createElement('h2')
    title.textContent = 'Published worlds'
    this.note.className = 'note'
    this.note.textContent = 'Loading…'
    // Host a world from a signed bundle file (`peercompute build` + `sign`), published or not.
    const fromFile = document.createElement('label')
    fromFile.className = 'host-file'
    fromFile.textContent = 'Host a bundle file… '
    fromFile.title = 'Run a signed world bundle (.pcb) on your node; it is verified first, rules included'
    this.fileInput.type = 'file'
    this.fileInput.accept = '.pcb,application/vnd.peercompute.bundle'
    this.fileInput.dataset.testid = 'host-file'
    this.fileInput.disabled = true
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0]
      this.fileInput.value = ''
      if (file !== undefined) this.actions?.hostFile(file)
    })
    fromFile.append(this.fileInput)
    this.panel.append(title, this.note, this.list, fromFile)
    parent.append(this.button, this.panel)
    window.addEventListener('keydown', this.onKey)
  }

  /** Whether the panel is showing. */
  isOpen(): boolean {
    return !this.panel.hidden
  }

  /** Opens or closes the panel. */
  toggle(open = !this.isOpen()): void {
    if (open === this.isOpen()) return
    this.panel.hidden = !open
    this.button.setAttribute('aria-expanded', String(open))
    if (open) {
      // Mouse look holds the pointer; the list needs it.
      if (document.pointerLockElement !== null) document.exitPointerLock()
      this.onOpen()
    }
  }

  /** Shows a freshly loaded list. */
  show(worlds: readonly ListedWorld[]): void {
    this.worlds = worlds
    this.note.textContent = worlds.length === 0 ? 'No worlds are published on this root yet.' : `${worlds.length} on this root`
    this.note.classList.remove('bad')
    this.render()
  }

  /** Enables Join and Host (once a node runs), which call `actions`. */
  setActions(actions: WorldActions): void {
    this.actions = actions
    this.render()
  }

  /** Marks where this player is, which world this node hosts (or null), and whether a move is under way. */
  setPlace(place: { current: string; hosting: string | null; busy: boolean }): void {
    this.currentWorld = place.current
    this.hosting = place.hosting
    this.busy = place.busy
    this.render()
  }

  /** Shows why the list could not load (the last list stays). */
  showError(message: string): void {
    this.note.textContent = `Could not load the list: ${message}`
    this.note.classList.add('bad')
  }

  /** Removes the button, the panel and the key listener. */
  dispose(): void {
    window.removeEventListener('keydown', this.onKey)
    this.button.remove()
    this.panel.remove()
  }

  private render(): void {
    this.fileInput.disabled = this.busy || this.actions === null
    this.list.replaceChildren(...this.worlds.map((world) => this.renderWorld(world)))
  }

  private renderWorld(world: ListedWorld): HTMLLIElement {
    const item = document.createElement('li')
    item.dataset.world = world.id
    const head = document.createElement('div')
    head.className = 'head'
    const name = document.createElement('span')
    name.className = 'name'
    name.textContent = world.name
    const version = document.createElement('span')
    version.className = 'version'
    version.textContent = `v${world.version}`
    head.append(name, version)
    const meta = document.createElement('div')
    meta.className = 'meta'
    // A world below the one the player is in is what "host a world inside this one" means: say so.
    const inside = world.parent !== null && world.parent === this.currentWorld
    const parent = world.parent === null ? 'top level' : inside ? `in ${world.parent}, inside this world` : `in ${world.parent}`
    meta.textContent = `${world.id} · ${parent} · by ${shortThumbprint(world.publisher)}`
    meta.title = `Publisher key thumbprint: ${world.publisher}`
    const hosts = world.parent === null ? '' : world.hosts === 0 ? ' · no host' : ` · ${world.hosts} host${world.hosts === 1 ? '' : 's'}`
    meta.textContent += hosts
    const join = document.createElement('button')
    join.type = 'button'
    const here = world.id === this.currentWorld
    const joinable = world.parent === null || world.hosts > 0
    join.disabled = here || !joinable || this.busy || this.actions === null
    join.textContent = here ? 'You are here' : 'Join'
    if (!here && !joinable) join.title = JOIN_UNAVAILABLE_HINT
    join.addEventListener('click', () => this.actions?.join(world.id))
    item.append(head, meta, join)
    if (world.parent !== null) {
      const host = document.createElement('button')
      host.type = 'button'
      host.className = 'host'
      const hosted = this.hosting === world.id
      host.textContent = hosted ? 'Hosting' : 'Host'
      host.title = inside ? `Run this world on your node, inside ${world.parent}, for others to join` : 'Run this world on your node for others to join'
      host.disabled = hosted || this.busy || this.actions === null
      host.addEventListener('click', () => this.actions?.host(world.id))
      item.append(host)
    }
    return item
  }

  private readonly onButton = (): void => {
    this.toggle()
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    const target = event.target
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return
    if (event.code === 'Escape' && this.isOpen()) {
      this.toggle(false)
    } else if (TOGGLE_KEYS.has(event.code) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault()
      this.toggle()
    }
  }
}
