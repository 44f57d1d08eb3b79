import type { WorldListing } from '@peercompute/kernel'

/** What {@link WorldListFeed} needs. */
export interface WorldListFeedInit<T = WorldListing> {
  /** Fetches the list (`loadWorldList` against the root). */
  load: () => Promise<T[]>
  /** Receives each list that loaded. */
  onList: (worlds: T[]) => void
  /** Receives each failed load; the feed keeps polling. */
  onError: (err: unknown) => void
  /** Time between refreshes. @default 30_000 */
  intervalMs?: number
}

/**
 * Keeps the world list fresh: loads it at start, then every 30 s, and whenever `refresh()` is
 * called (e.g. the panel opens). Loads never overlap: a refresh asked for during one joins it.
 * (The root is meant to announce publishes on gossipsub `/peercompute/1/worlds`; the kernel has no
 * topic API for bindings yet, so the feed polls.)
 */
export class WorldListFeed<T = WorldListing> {
  private timer: ReturnType<typeof setInterval> | null = null
  private loading: Promise<void> | null = null

  constructor(private readonly init: WorldListFeedInit<T>) {}

  /** Loads now and starts polling. */
  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => void this.refresh(), this.init.intervalMs ?? 30_000)
    void this.refresh()
  }

  /** Loads the list now, unless a load is already under way (then waits for that one). */
  refresh(): Promise<void> {
    this.loading ??= this.init
      .load()
      .then((worlds) => this.init.onList(worlds))
      .catch((err: unknown) => this.init.onError(err))
      .finally(() => {
        this.loading = null
      })
    return this.loading
  }

  /** Stops polling (a load under way still reports). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }
}
