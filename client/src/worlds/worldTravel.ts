import type { LoadedWorld, PeerComputeNode, WorldSource } from '@peercompute/kernel'
import { fetchVerifiedWorld, verifyWorldBundle } from '@peercompute/kernel'
import { DEFAULT_BUNDLE_LIMITS } from '@peercompute/signing'
import { generateHeightfield } from '@peercompute/world-sdk'
import type { Toasts } from '../hud/toast.js'
import type { KernelView } from '../node/kernelView.js'
import type { PlaySession } from '../session/playSession.js'
import type { WorldBrowser } from './worldBrowser.js'

/** Largest bundle file a player may pick to host: the signing package's bundle limit, checked before reading it. */
const MAX_BUNDLE_FILE_BYTES = DEFAULT_BUNDLE_LIMITS.maxBundleBytes
/** How often the page checks that it draws the world the node is in (a host migration may move it). */
const FOLLOW_INTERVAL_MS = 1_000

/** What {@link WorldTravel} needs. */
export interface WorldTravelInit {
  node: PeerComputeNode
  view: KernelView
  /** Where the node fetched worlds from (the scene of a world joined is built from the same bundle). */
  source: WorldSource
  /** The world drawn now and its session (bound to the node). */
  world: LoadedWorld
  session: PlaySession
  /** Builds and starts drawing a session for another world on the same engine (ShownWorld.showAnother). */
  showAnother(world: LoadedWorld): PlaySession
  /** Told each new session (the boot stops it on a failure). */
  onSession(session: PlaySession): void
  browser: WorldBrowser
  toasts: Toasts
  parent: HTMLElement
}

/**
 * Moves the player between worlds: Join and Host in the world list, and a "Leave" button (shown
 * in a sub-world) that returns to the parent world. The kernel joins, hosts or leaves (physics
 * reloads with the new world's rules); then the scene is rebuilt for the world the node is in
 * (the last of `getStatus().chain`). A refused world shows the reason in a toast and the player
 * stays where they are. The node's world is also followed every second, so a world whose host
 * left without a successor (the node returned to the parent) is redrawn too.
 */
export class WorldTravel {
  private readonly leaveButton = document.createElement('button')
  private world: LoadedWorld
  private session: PlaySession
  private busy = false
  private readonly timer: ReturnType<typeof setInterval>

  constructor(private readonly init: WorldTravelInit) {
    this.world = init.world
    this.session = init.session
    this.leaveButton.type = 'button'
    this.leaveButton.id = 'leave-world'
    this.leaveButton.dataset.testid = 'leave-world'
    this.leaveButton.textContent = 'Leave'
    this.leaveButton.title = 'Return to the parent world'
    this.leaveButton.hidden = true
    this.leaveButton.addEventListener('click', () => void this.leave())
    init.parent.append(this.leaveButton)
    init.browser.setActions({ join: (id) => void this.join(id), host: (id) => void this.host(id), hostFile: (file) => void this.hostFile(file) })
    this.timer = setInterval(() => void this.follow(), FOLLOW_INTERVAL_MS)
    this.session.onPortal((id) => void this.join(id))
    this.showPlace()
  }

  /** Joins world `id` (hosted by someone, or a top-level world). */
  join(id: string): Promise<void> {
    return this.move(`join “${id}”`, () => this.init.node.kernel.joinWorld(id))
  }

  /** Hosts world `id` on this node and enters it. */
  host(id: string): Promise<void> {
    return this.move(`host “${id}”`, async () => {
      await this.init.node.kernel.hostWorld(id)
    })
  }

  /** Hosts the world in a signed bundle file the player picked: verified (signature, files, rules against its parents) before anything runs. */
  hostFile(file: File): Promise<void> {
    return this.move(`host “${file.name}”`, async () => {
      if (file.size > MAX_BUNDLE_FILE_BYTES) {
        throw new Error(`The file is ${(file.size / 1048576).toFixed(1)} MiB; a bundle may be ${MAX_BUNDLE_FILE_BYTES / 1048576} MiB at most. Pick a bundle made by \`peercompute build\`.`)
      }
      const verified = await verifyWorldBundle(this.init.source, new Uint8Array(await file.arrayBuffer()))
      await this.init.node.kernel.hostWorld(verified)
    })
  }

  /** Returns to the parent world. */
  leave(): Promise<void> {
    return this.move('leave this world', () => this.init.node.kernel.leaveWorld())
  }

  /** Stops following the node and removes the Leave button. */
  dispose(): void {
    clearInterval(this.timer)
    this.session.onPortal(null)
    this.leaveButton.remove()
  }

  private async move(what: string, act: () => Promise<void>): Promise<void> {
    if (this.busy) return
    this.busy = true
    this.init.browser.close()
    this.showPlace()
    try {
      await act()
    } catch (err) {
      this.init.toasts.show(`Could not ${what}: ${describe(err)}`, true)
    }
    await this.redrawOrSay()
    this.busy = false
    this.showPlace()
    void this.init.browser.refresh()
  }

  /** Rebuilds the scene when the node is in another world than the one drawn. */
  private async redraw(): Promise<void> {
    const id = this.currentId()
    if (id === null || id === this.world.id) return
    // The kernel entered it with terrain from the compute network; draw that very world.
    const entered = this.init.node.kernel.world()
    const world = entered?.id === id ? entered : await this.fetchWithTerrain(id)
    this.session.stop()
    this.world = world
    this.session = this.init.showAnother(world)
    this.session.attach(this.init.view)
    this.session.onPortal((next) => void this.join(next))
    this.init.onSession(this.session)
    this.init.toasts.show(`You are in ${world.name}.`)
  }

  /** A world the kernel has not entered (it moved on meanwhile): verified here, terrain made here. */
  private async fetchWithTerrain(id: string): Promise<LoadedWorld> {
    const verified = await fetchVerifiedWorld(this.init.source, id)
    return { ...verified.loaded, heights: generateHeightfield(verified.loaded.definition.terrain) }
  }

  private async follow(): Promise<void> {
    if (this.busy || this.currentId() === this.world.id) return
    this.busy = true
    await this.redrawOrSay()
    this.busy = false
    this.showPlace()
  }

  /** {@link redraw}, with a failure shown to the player instead of thrown. */
  private async redrawOrSay(): Promise<void> {
    try {
      await this.redraw()
    } catch (err) {
      this.init.toasts.show(`Could not show the world: ${describe(err)}`, true)
    }
  }

  private currentId(): string | null {
    const status = this.init.node.getStatus()
    return status.chain.at(-1) ?? status.world?.id ?? null
  }

  private showPlace(): void {
    const status = this.init.node.getStatus()
    this.leaveButton.hidden = status.chain.length < 2
    this.leaveButton.disabled = this.busy
    this.init.browser.setPlace({ current: this.world.id, hosting: status.hosting?.world ?? null, busy: this.busy })
  }
}

/** "RuleViolationError: …" for an Error, the value as text otherwise. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
