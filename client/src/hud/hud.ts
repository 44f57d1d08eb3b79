/** What the HUD shows; read from the node's status and the render loop. */
export interface HudData {
  worldName: string
  renderer: string
  fps: number | null
  pingMs: number | null
  /** `null` while the node is still joining the network. */
  peers: readonly { transport: string }[] | null
  players: number | null
}

/** The top-left panel: world, renderer, fps, ping, peers by transport, players. */
export class Hud {
  private readonly root = document.createElement('aside')
  private readonly world = document.createElement('div')
  private readonly rows = new Map<string, HTMLSpanElement>()

  constructor(parent: HTMLElement) {
    this.root.id = 'hud'
    this.root.dataset.testid = 'hud'
    this.world.className = 'world'
    this.root.append(this.world)
    for (const label of ['Renderer', 'FPS', 'Ping', 'Peers', 'Players']) {
      const row = document.createElement('div')
      row.className = 'row'
      const key = document.createElement('span')
      key.textContent = label
      const value = document.createElement('span')
      value.dataset.hud = label.toLowerCase()
      row.append(key, value)
      this.root.append(row)
      this.rows.set(label, value)
    }
    const help = document.createElement('div')
    help.className = 'help'
    help.textContent = 'Click to look · WASD move · Shift run · Space jump · Enter chat · L worlds'
    this.root.append(help)
    parent.append(this.root)
  }

  update(data: HudData): void {
    this.world.textContent = data.worldName
    this.set('Renderer', data.renderer === 'webgpu' ? 'WebGPU' : data.renderer === 'webgl2' ? 'WebGL2' : data.renderer)
    this.set('FPS', data.fps === null ? '–' : String(Math.round(data.fps)))
    this.set('Ping', data.pingMs === null ? '–' : `${Math.round(data.pingMs)} ms`)
    this.set('Peers', data.peers === null ? 'connecting…' : describePeers(data.peers))
    this.set('Players', data.players === null ? '–' : String(data.players))
  }

  /** Removes the panel. */
  dispose(): void {
    this.root.remove()
  }

  private set(label: string, text: string): void {
    const cell = this.rows.get(label)
    if (cell !== undefined && cell.textContent !== text) cell.textContent = text
  }
}

/** "3 (2 webrtc, 1 websockets)", or "0". */
export function describePeers(peers: readonly { transport: string }[]): string {
  if (peers.length === 0) return '0'
  const counts = new Map<string, number>()
  for (const peer of peers) counts.set(peer.transport, (counts.get(peer.transport) ?? 0) + 1)
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([transport, n]) => `${n} ${transport}`)
  return `${peers.length} (${parts.join(', ')})`
}
