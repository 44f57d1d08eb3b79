import { multiaddr } from '@multiformats/multiaddr'
import { fetchVerifiedWorld } from './verifiedWorld.js'
import { WorldHosting, dhtHosts } from './WorldHosting.js'
import type { BasisRules } from '@peercompute/world-sdk'
import type { KernelLibp2p } from '../../platform/Platform.js'
import type { WorkerPort } from '../../platform/WorkerPort.js'
import type { KernelEvents } from '../KernelEvents.js'
import type { LoadedWorld } from '../LoadedWorld.js'
import type { StateManager } from '../state/StateManager.js'
import type { VerifiedWorld } from './verifiedWorld.js'
import type { ComputeResult, ComputeTask } from '../compute/computeTask.js'
import type { WorldHostingInit, WorldHostingStatus } from './WorldHosting.js'
import type { WorldHostRecord, WorldSource } from './WorldSource.js'
import type { TypedEventTarget } from '@libp2p/interface'

export interface WorldNavigatorInit extends WorldHostingInit {
  /** Where worlds are fetched and hosts found: `httpWorldSource({ root })`. Needed to join or host. */
  source?: WorldSource
  /** Whether this node may take over hosting when a world's host leaves. @default true */
  canHost?: boolean
  /** How long members wait for the elected new host before returning to the parent world. @default 5_000 */
  migrationTimeoutMs?: number
  /**
   * How often a member pings its world's host (pings overlap: each waits 1.5 s for its answer); a host
   * that misses two in a row is gone (a closed page's WebRTC link reports nothing for several seconds,
   * and its presence expires only after 5). @default 500
   */
  hostPingMs?: number
}

/** Pings a host may miss in a row before its members take over; each waits this long. */
const HOST_MISSES = 2
const HOST_PING_TIMEOUT_MS = 1500

export interface WorldNavigatorComponents {
  state: StateManager
  events: TypedEventTarget<KernelEvents>
  libp2p(): KernelLibp2p | null
  /** The root's peerId (the overworld's host, every chain's top), or null. */
  rootPeer: string | null
  storageMode: 'local' | 'propagate'
  /** Enters the world in the kernel: topics, presence, physics. */
  enter(world: LoadedWorld): Promise<void>
  /** Runs a compute task on this node and its peers (a hosted world's script submits them). */
  submitTask(task: ComputeTask): Promise<ComputeResult>
  /** The world's terrain heights, from the compute network (compute/terrain/terrainTask.ts). */
  terrain(world: Omit<LoadedWorld, 'heights'>): Promise<Float32Array>
  /** The peer this node syncs world state with and pushes to (the world's host, or the root), or null. */
  setStateParent(peerId: string | null): void
  syncNow(): void
  spawnScriptsWorker(): WorkerPort
}

/** Where this node stands among worlds, for `getStatus()`. */
export interface WorldPlace {
  /** World ids from the root's world down to the current one. */
  chain: string[]
  /** The node this one is a child of: the current world's host, or for a host the parent world's host; the root at the top. */
  parent: string | null
  /** The current world's host (this node's own peerId when it hosts). */
  host: string | null
  effectiveRules: BasisRules | null
  hosting: WorldHostingStatus | null
  /** Host migrations this node saw, with how long each took (host gone → new host in place), ms. */
  migrations: Array<{ world: string; from: string; to: string | null; ms: number }>
}

/** Thrown by `joinWorld` when nobody hosts the world now. */
export class NoHostError extends Error {
  override name = 'NoHostError'
}

/** Thrown by `joinWorld`/`hostWorld` on a node created without a world source. */
export class NoWorldSourceError extends Error {
  override name = 'NoWorldSourceError'
}

interface Current { world: VerifiedWorld; host: string | null; parent: string | null }

/**
 * Joining, hosting and leaving sub-worlds, and keeping a world alive when its host leaves: the
 * member with the lowest peerId takes over (when it can host), the others re-attach to it; if it
 * cannot or does not show up within `migrationTimeoutMs`, they return to the parent world.
 */
export class WorldNavigator {
  private current: Current | null = null
  private hosting: WorldHosting | null = null
  private migrating = false
  private hostWatch: ReturnType<typeof setInterval> | null = null
  private hostMisses = 0
  private pinging = 0
  private readonly migrations: WorldPlace['migrations'] = []

  constructor(private readonly init: WorldNavigatorInit, private readonly components: WorldNavigatorComponents) {
    components.events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    components.events.addEventListener('player:join', this.onPlayerJoin)
    components.events.addEventListener('player:leave', this.onPlayerLeave)
  }

  /** Fetches and verifies world `id` (rules checked against its parents), dials its host and enters it as its child. */
  async join(id: string): Promise<void> {
    const world = await fetchVerifiedWorld(this.source(), id)
    await this.stopHosting()
    const { rootPeer } = this.components
    if (world.manifest.parent == null) {
      this.components.setStateParent(rootPeer)
      await this.enterVerified(world)
      this.current = { world, host: rootPeer, parent: rootPeer }
      return
    }
    const self = this.selfId()
    let hosts = (await this.source().hosts(id)).filter((h) => h.peerId !== self)
    // The registry lists nobody (the root restarted, or the host could not reach its API): ask the DHT.
    if (hosts.length === 0) hosts = await dhtHosts(this.requireNode(), id)
    if (hosts.length === 0) throw new NoHostError(`Nobody hosts "${id}" now. Host it yourself (peercompute host ${id}), or pick another world.`)
    const host = await this.dialFirst(hosts)
    this.components.setStateParent(host.peerId)
    await this.enterVerified(world)
    this.current = { world, host: host.peerId, parent: host.peerId }
    this.watchHost()
  }

  /** Hosts a verified world (or world `id`, fetched and verified) on this node and announces it. */
  async host(world: VerifiedWorld | string): Promise<WorldHostingStatus> {
    const verified = typeof world === 'string' ? await fetchVerifiedWorld(this.source(), world) : world
    await this.stopHosting()
    const { rootPeer } = this.components
    const parentWorld = verified.manifest.parent
    const self = this.selfId()
    const parentHost = parentWorld == null ? null : (await this.source().hosts(parentWorld).catch(() => [])).find((h) => h.peerId !== self)?.peerId
    this.components.setStateParent(this.components.storageMode === 'propagate' ? rootPeer : null)
    await this.enterVerified(verified)
    this.current = { world: verified, host: self, parent: parentHost ?? rootPeer }
    return await this.startHosting(verified)
  }

  /** Leaves the current sub-world for its parent world (which is joined like any other). */
  async leave(): Promise<void> {
    const parent = this.current?.world.manifest.parent
    if (parent == null) return
    await this.stopHosting()
    await this.join(parent)
  }

  /** Enters a verified world, its terrain first made by the compute network. */
  private async enterVerified(world: VerifiedWorld): Promise<void> {
    // The world's compute code (its terrain shader) is trusted before the task that runs it.
    const heights = await this.components.terrain(world.loaded)
    await this.components.enter({ ...world.loaded, heights })
  }

  /** Whether this node hosts a world now. */
  isHosting(): boolean { return this.hosting != null }

  /** Whether the node is in a world it joined or hosts through this navigator. */
  inSubWorld(): boolean { return this.current?.world.manifest.parent != null }

  place(fallbackWorld: string | null): WorldPlace {
    const current = this.current
    return {
      chain: current?.world.effective.chain ?? (fallbackWorld == null ? [] : [fallbackWorld]),
      parent: current?.parent ?? (fallbackWorld == null ? null : this.components.rootPeer),
      host: current?.host ?? (fallbackWorld == null ? null : this.components.rootPeer),
      effectiveRules: current?.world.effective.rules ?? null,
      hosting: this.hosting?.status() ?? null,
      migrations: this.migrations.map((m) => ({ ...m }))
    }
  }

  async stop(): Promise<void> {
    if (this.hostWatch != null) clearInterval(this.hostWatch)
    this.hostWatch = null
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.events.removeEventListener('player:join', this.onPlayerJoin)
    this.components.events.removeEventListener('player:leave', this.onPlayerLeave)
    await this.stopHosting()
    this.current = null
  }

  private async startHosting(world: VerifiedWorld): Promise<WorldHostingStatus> {
    const hosting = new WorldHosting(world, this.init, {
      state: this.components.state,
      libp2p: () => this.components.libp2p(),
      source: this.source(),
      spawnWorker: () => this.components.spawnScriptsWorker(),
      onError: (err) => { this.components.events.dispatchEvent(new CustomEvent('error', { detail: err })) },
      submitTask: (task) => this.components.submitTask(task)
    })
    this.hosting = hosting
    await hosting.start()
    return hosting.status()
  }

  private async stopHosting(): Promise<void> {
    const hosting = this.hosting
    this.hosting = null
    await hosting?.stop()
  }

  private async dialFirst(hosts: WorldHostRecord[]): Promise<WorldHostRecord> {
    const node = this.requireNode()
    const errors: string[] = []
    // A second pass with more time: a WebRTC link signalled through the root's relay to a busy
    // browser host can take longer than 5 s to open.
    for (const timeoutMs of [5000, 12_000]) {
      errors.length = 0
      for (const host of hosts) {
        for (const addr of host.multiaddrs) {
          try {
            await node.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) })
            return host
          } catch (err) {
            errors.push(`${addr}: ${err instanceof Error ? err.message : String(err)}`)
          }
        }
      }
    }
    throw new NoHostError(`No host of this world answers (${errors.join('; ')}). Try again in a moment, or host it yourself.`)
  }

  /** The host is gone: elect the lowest peerId among the members left; it hosts, the others re-attach. */
  private async migrate(from: string): Promise<void> {
    const current = this.current
    if (current == null || this.migrating) return
    this.migrating = true
    const started = performance.now()
    const world = current.world.manifest.id
    try {
      const self = this.selfId()
      const members = this.components.state.presence.players().map((p) => p.peerId)
      const elected = [...new Set([self, ...members])].filter((p) => p !== from && p !== this.components.rootPeer).sort()[0] ?? self
      if (elected === self && (this.init.canHost ?? true)) {
        this.components.setStateParent(this.components.storageMode === 'propagate' ? this.components.rootPeer : null)
        this.current = { ...current, host: self }
        await this.startHosting(current.world)
        this.migrations.push({ world, from, to: self, ms: performance.now() - started })
        return
      }
      const deadline = Date.now() + (this.init.migrationTimeoutMs ?? 5000)
      while (Date.now() < deadline && this.current === current) {
        const hosts = (await this.source().hosts(world).catch(() => [])).filter((h) => h.peerId !== from && h.peerId !== self)
        const next = hosts.find((h) => h.peerId === elected) ?? hosts[0]
        if (next != null) {
          const host = await this.dialFirst([next]).catch(() => null)
          if (host != null) {
            this.components.setStateParent(host.peerId)
            this.current = { ...current, host: host.peerId, parent: host.peerId }
            this.components.syncNow()
            this.migrations.push({ world, from, to: host.peerId, ms: performance.now() - started })
            return
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      if (this.current !== current) return
      this.migrations.push({ world, from, to: null, ms: performance.now() - started })
      await this.leave()
    } catch (err) {
      this.components.events.dispatchEvent(new CustomEvent('error', { detail: err instanceof Error ? err : new Error(String(err)) }))
    } finally {
      this.migrating = false
    }
  }

  /** Starts pinging the current world's host, once (the interval skips turns with no remote host). */
  private watchHost(): void {
    this.hostWatch ??= setInterval(this.pingHost, this.init.hostPingMs ?? 500)
  }

  private readonly pingHost = (): void => {
    const host = this.current?.host
    const libp2p = this.components.libp2p()
    if (host == null || libp2p == null || host === libp2p.peerId.toString() || host === this.components.rootPeer || this.migrating) {
      this.hostMisses = 0
      return
    }
    const target = libp2p.getConnections().find((c) => c.remotePeer.toString() === host)?.remotePeer
    // No link to the host at all: the disconnect handler has migrated, or will. At most three pings wait at once.
    if (target == null || this.pinging >= 3) return
    this.pinging++
    libp2p.services.ping.ping(target, { signal: AbortSignal.timeout(HOST_PING_TIMEOUT_MS) }).then(() => {
      this.hostMisses = 0
    }, () => {
      if (this.current?.host !== host) return
      this.hostMisses++
      if (this.hostMisses >= HOST_MISSES) {
        this.hostMisses = 0
        void this.migrate(host)
      }
    }).finally(() => { this.pinging-- })
  }

  private readonly onPeerDisconnect = (event: CustomEvent<{ peerId: string }>): void => {
    const current = this.current
    const self = this.components.libp2p()?.peerId.toString()
    if (current == null || current.host == null || current.host === self || current.host === this.components.rootPeer) return
    if (event.detail.peerId === current.host) void this.migrate(current.host)
  }

  private readonly onPlayerJoin = (event: CustomEvent<{ peerId: string; name: string }>): void => {
    this.hosting?.playerJoined(event.detail.peerId, event.detail.name)
  }

  private readonly onPlayerLeave = (event: CustomEvent<{ peerId: string }>): void => {
    this.hosting?.playerLeft(event.detail.peerId)
    // A host that moved to another world keeps its connections but leaves this world's presence.
    const host = this.current?.host
    if (host != null && event.detail.peerId === host && host !== this.components.rootPeer && this.hosting == null) void this.migrate(host)
  }

  private source(): WorldSource {
    if (this.init.source == null) throw new NoWorldSourceError('This node has no world source: create it with worlds: { source: httpWorldSource({ root }) } to join or host worlds.')
    return this.init.source
  }

  private selfId(): string {
    return this.requireNode().peerId.toString()
  }

  private requireNode(): KernelLibp2p {
    const node = this.components.libp2p()
    if (node == null) throw new Error('Start the node (node.start()) before joining or hosting a world.')
    return node
  }
}
