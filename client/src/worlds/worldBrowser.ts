import type { WorldListing } from '@peercompute/kernel'
import { markBoot } from '../boot/bootMarks.js'
import type { ListedWorld } from './worldList.js'
import { WorldListFeed } from './worldListFeed.js'
import { WorldListPanel, type WorldActions } from './worldListPanel.js'

/** Where the world list goes besides the panel: the node's status (`NodeKernel.reportWorlds`). */
export interface WorldListSink {
  reportWorlds(worlds: readonly WorldListing[]): void
}

/**
 * The world list in the page: the panel (toggled by its button, `Tab` or `L`), kept fresh by a
 * {@link WorldListFeed} (every 30 s and on opening), and each list reported to the node once one
 * is bound, so `getStatus().worlds` shows what the panel shows.
 */
export class WorldBrowser {
  private readonly panel: WorldListPanel
  private readonly feed: WorldListFeed<ListedWorld>
  private worlds: ListedWorld[] = []
  private sink: WorldListSink | null = null

  constructor(parent: HTMLElement, currentWorld: string, load: () => Promise<ListedWorld[]>) {
    this.panel = new WorldListPanel(parent, currentWorld, () => void this.feed.refresh())
    this.feed = new WorldListFeed({
      load,
      onList: (worlds) => {
        this.worlds = worlds
        markBoot('worlds-listed')
        this.panel.show(worlds)
        this.sink?.reportWorlds(listings(worlds))
      },
      onError: (err) => this.panel.showError(err instanceof Error ? err.message : String(err)),
    })
    this.feed.start()
  }

  /** Reports the current list to `sink` now and every new one from then on. */
  bind(sink: WorldListSink): void {
    this.sink = sink
    sink.reportWorlds(listings(this.worlds))
  }

  /** Enables the panel's Join and Host buttons. */
  setActions(actions: WorldActions): void {
    this.panel.setActions(actions)
  }

  /** Updates where the player is and what this node hosts (see WorldListPanel.setPlace). */
  setPlace(place: { current: string; hosting: string | null; busy: boolean }): void {
    this.panel.setPlace(place)
  }

  /** Loads the list again now (after a join or a host, whose host counts changed). */
  refresh(): Promise<void> {
    return this.feed.refresh()
  }

  /** Closes the panel. */
  close(): void {
    this.panel.toggle(false)
  }

  /** Stops polling and removes the panel. */
  dispose(): void {
    this.feed.stop()
    this.panel.dispose()
    this.sink = null
  }
}

/** The listings the status shows (without the panel's host counts). */
function listings(worlds: readonly ListedWorld[]): WorldListing[] {
  return worlds.map(({ id, name, version, publisher, parent }) => ({ id, name, version, publisher, parent }))
}
