import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { fetchVerifiedWorld } from './verifiedWorld.js'
import { PropSync } from './propSync.js'
import { WorldHosting, dhtHosts } from './WorldHosting.js'
import { HostWatch } from './hostWatch.js'
import { wallClock } from '../state/wallClock.js'
import type { BasisRules } from '@peercompute/world-sdk'
import type { KernelLibp2p } from '../../platform/Platform.js'
import type { WorkerPort } from '../../platform/WorkerPort.js'
import type { KernelEvents } from '../KernelEvents.js'
import type { LoadedWorld } from '../LoadedWorld.js'
import type { PhysicsEngine } from '../physics/PhysicsEngine.js'
import type { StateManager } from '../state/StateManager.js'
import type { PropSyncStatus } from './propSync.js'
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
   * How often a member may ping its world's host (one ping at a time, 1.2 s each); a host that misses
   * two in a row while its presence is silent is gone (hostWatch.ts). @default 500
   */
  hostPingMs?: number
}

/** How long a member dials its host again after their link closed, before taking the host for gone. */
const HOST_REDIAL_MS = 3000

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
  /** The place changed without a world being entered (a host migration): the kernel re-links its topology. */
  placeChanged?(): void
  spawnScriptsWorker(): WorkerPort
  /** The node's own physics: it follows a hosted world's props, or (a browser host's) simulates them. */
  physics(): PhysicsEngine | null
  /** Havok for a host without physics of its own (a headless host simulates its world's props in it). */
  spawnPhysicsWorker(): WorkerPort
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
  /** The parent world's effective rules: a host is a member there, and links to its parent by them. */
  parentRules: BasisRules | null
  hosting: WorldHostingStatus | null
  /** Host migrations this node saw, with how long each took (host gone → new host in place), ms. */
  migrations: Array<{ world: string; from: string; to: string | null; ms: number }>
  /** A hosted world's prop poses: who publishes them and what this node refused; null outside hosted worlds. */
  props: PropSyncStatus | null
}

/** Thrown by `joinWorld` when nobody hosts the world now. */
export class NoHostError extends Error {
  override name = 'NoHostError'
}

/** Thrown by `joinWorld`/`hostWorld` on a node created without a world source. */
export class NoWorldSourceError extends Error {
  override name = 'NoWorldSourceError'
}

interface Current {
  world: VerifiedWorld
  host: string | null
  parent: string | null
  /** The world as entered, terrain included. */
  loaded: LoadedWorld
  /** Its props' poses on the network (a hosted sub-world), or null (the overworld: each node simulates its own). */
  props: PropSync | null
}

/**
 * Joining, hosting and leaving sub-worlds, and keeping a world alive when its host leaves: the
 * member with the lowest peerId takes over (when it can host), the others re-attach to it; if it
 * cannot or does not show up within `migrationTimeoutMs`, they return to the parent world.
 */
export class WorldNavigator {
  private current: Current | null = null
  /** The place a join or host is entering: the kernel may show its world before `current` is set. */
  private entering: Current | null = null
  private hosting: WorldHosting | null = null
  private migrating = false
  private readonly hostWatch: HostWatch
  /** The current world's host as found in the registry (its addresses, for dialling it again). */
  private hostRecord: WorldHostRecord | null = null
  private redialing = false
  /** The world's players when its host last answered: who may be elected if it goes (presence of members linked only through it expires). */
  private membersAtLastAnswer: { host: string; members: string[] } | null = null
  private readonly migrations: WorldPlace['migrations'] = []

  constructor(private readonly init: WorldNavigatorInit, private readonly components: WorldNavigatorComponents) {
    this.hostWatch = new HostWatch({ intervalMs: init.hostPingMs ?? 500 }, {
      libp2p: () => this.components.libp2p(),
      host: () => this.remoteHost(),
      silentFor: (peerId) => {
        const heard = this.components.state.presence.players().find((p) => p.peerId === peerId)?.receivedAt
        return heard == null ? Number.POSITIVE_INFINITY : wallClock() - heard
      },
      onAnswer: (host) => { this.membersAtLastAnswer = { host, members: this.components.state.presence.players().map((p) => p.peerId) } },
      onGone: (host) => { void this.migrate(host) }
    })
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
      await this.enterPlace({ world, host: rootPeer, parent: rootPeer })
      return
    }
    const self = this.selfId()
    let hosts = (await this.source().hosts(id)).filter((h) => h.peerId !== self)
    // The registry lists nobody (the root restarted, or the host could not reach its API): ask the DHT.
    if (hosts.length === 0) hosts = await dhtHosts(this.requireNode(), id)
    if (hosts.length === 0) throw new NoHostError(`Nobody hosts "${id}" now. Host it yourself (peercompute host ${id}), or pick another world.`)
    const host = await this.dialFirst(hosts)
    this.hostRecord = host
    this.components.setStateParent(host.peerId)
    await this.enterPlace({ world, host: host.peerId, parent: host.peerId })
    this.hostWatch.start()
  }

  /** Hosts a verified world (or world `id`, fetched and verified) on this node and announces it. */
  async host(world: VerifiedWorld | string): Promise<WorldHostingStatus> {
    const verified = typeof world === 'string' ? await fetchVerifiedWorld(this.source(), world) : world
    await this.stopHosting()
    const { rootPeer } = this.components
    const self = this.selfId()
    const parent = await this.parentHost(verified)
    this.components.setStateParent(this.components.storageMode === 'propagate' ? rootPeer : null)
    await this.enterPlace({ world: verified, host: self, parent })
    return await this.startHosting(verified)
  }

  /** Leaves the current sub-world for its parent world (which is joined like any other). */
  async leave(): Promise<void> {
    const parent = this.current?.world.manifest.parent
    if (parent == null) return
    await this.stopHosting()
    await this.join(parent)
  }

  /** Enters `place`'s verified world, its terrain first made by the compute network, and makes it the current place. */
  private async enterPlace(place: Omit<Current, 'loaded' | 'props'>): Promise<void> {
    // The world's compute code (its terrain shader) is trusted before the task that runs it.
    const heights = await this.components.terrain(place.world.loaded)
    const next: Current = { ...place, loaded: { ...place.world.loaded, heights }, props: null }
    this.current?.props?.stop()
    this.entering = next
    try {
      await this.components.enter(next.loaded)
      this.current = next
    } finally {
      if (this.entering === next) this.entering = null
    }
    // A hosted sub-world's props move on its host alone; its members follow the poses it publishes.
    if (next.world.manifest.parent != null) {
      next.props = this.propSync(next.loaded)
      next.props.start()
    }
  }

  /** A hosted world's props on the network: the host's poses, checked and followed by its members. */
  private propSync(world: LoadedWorld): PropSync {
    return new PropSync(world.id, world.definition.props, {}, {
      libp2p: () => this.components.libp2p(),
      host: () => this.current?.host ?? null,
      physics: () => this.components.physics(),
      strike: (peerId) => { this.components.state.strike(peerId) }
    })
  }

  /** The node a host of `world` is a child of: a host of its parent world (not this node), else the root. */
  private async parentHost(world: VerifiedWorld): Promise<string | null> {
    const parentWorld = world.manifest.parent
    const self = this.selfId()
    const parentHost = parentWorld == null ? null : (await this.source().hosts(parentWorld).catch(() => [])).find((h) => h.peerId !== self)?.peerId
    return parentHost ?? this.components.rootPeer
  }

  /** A hosted world's props as its host last published them (PROP_STRIDE floats per prop); null outside hosted worlds. */
  propPoses(): Float32Array | null {
    return this.current?.props?.latest().poses ?? null
  }

  /** Whether this node hosts a world now. */
  isHosting(): boolean { return this.hosting != null }

  /** Whether the node is in a world it joined or hosts through this navigator. */
  inSubWorld(): boolean { return this.current?.world.manifest.parent != null }

  /**
   * Where this node stands; `kernelWorld` is the id of the world the kernel is in (the chain ends
   * there: while a join enters its world, the place shown is the one being entered, parent included).
   */
  place(kernelWorld: string | null): WorldPlace {
    const entering = this.entering
    const current = entering != null && entering.world.manifest.id === kernelWorld ? entering : this.current
    return {
      chain: current?.world.effective.chain ?? (kernelWorld == null ? [] : [kernelWorld]),
      parent: current?.parent ?? (kernelWorld == null ? null : this.components.rootPeer),
      host: current?.host ?? (kernelWorld == null ? null : this.components.rootPeer),
      effectiveRules: current?.world.effective.rules ?? null,
      parentRules: current?.world.parentRules ?? null,
      hosting: this.hosting?.status() ?? null,
      migrations: this.migrations.map((m) => ({ ...m })),
      props: current?.props?.status() ?? null
    }
  }

  async stop(): Promise<void> {
    this.hostWatch.stop()
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.events.removeEventListener('player:join', this.onPlayerJoin)
    this.components.events.removeEventListener('player:leave', this.onPlayerLeave)
    await this.stopHosting()
    this.current?.props?.stop()
    this.current = null
  }

  private async startHosting(world: VerifiedWorld): Promise<WorldHostingStatus> {
    // The place is set first: the props go on from the last poses it received (its PropSync kept them).
    const current = this.current?.world === world ? this.current : null
    const hosting = new WorldHosting(world, this.init, {
      state: this.components.state,
      libp2p: () => this.components.libp2p(),
      source: this.source(),
      spawnWorker: () => this.components.spawnScriptsWorker(),
      onError: (err) => { this.components.events.dispatchEvent(new CustomEvent('error', { detail: err })) },
      submitTask: (task) => this.components.submitTask(task),
      // generateHeightfield allocates a plain ArrayBuffer; the physics schema's type says so.
      props: current?.props == null ? null : { sync: current.props, world: { ...current.loaded, heights: current.loaded.heights as Float32Array<ArrayBuffer> } },
      physics: () => this.components.physics(),
      spawnPhysicsWorker: () => this.components.spawnPhysicsWorker()
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
      // Members that reached each other only through the old host drop out of presence soon after it: those it had count too.
      const had = this.membersAtLastAnswer?.host === from ? this.membersAtLastAnswer.members : []
      const members = [...this.components.state.presence.players().map((p) => p.peerId), ...had]
      const elected = [...new Set([self, ...members])].filter((p) => p !== from && p !== this.components.rootPeer).sort()[0] ?? self
      if (elected === self && (this.init.canHost ?? true)) {
        this.components.setStateParent(this.components.storageMode === 'propagate' ? this.components.rootPeer : null)
        // The old host was this node's parent; a host's is its parent world's host.
        this.current = { ...current, host: self, parent: await this.parentHost(current.world) }
        this.components.placeChanged?.()
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
            this.hostRecord = host
            this.components.setStateParent(host.peerId)
            this.current = { ...current, host: host.peerId, parent: host.peerId }
            this.components.placeChanged?.()
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

  /** The current world's host when it is another node than this one and the root, and no migration is under way; else null. */
  private remoteHost(): string | null {
    const host = this.current?.host
    const self = this.components.libp2p()?.peerId.toString()
    if (host == null || host === self || host === this.components.rootPeer || this.migrating) return null
    return host
  }

  private readonly onPeerDisconnect = (event: CustomEvent<{ peerId: string }>): void => {
    const host = this.remoteHost()
    if (host != null && event.detail.peerId === host) void this.redialOrMigrate(host)
  }

  /**
   * The link to the host closed. A live host's link can close too (libp2p's connection monitor
   * drops a link whose ping stalled for 5 s, as on a busy machine), so it is dialled again first,
   * for a bounded while; only a host that cannot be reached is left behind.
   */
  private async redialOrMigrate(host: string): Promise<void> {
    if (this.redialing) return
    this.redialing = true
    const record = this.hostRecord?.peerId === host ? this.hostRecord : null
    try {
      const libp2p = this.requireNode()
      const signal = AbortSignal.timeout(HOST_REDIAL_MS)
      if (record == null) await libp2p.dial(peerIdFromString(host), { signal })
      else await Promise.any(record.multiaddrs.map((addr) => libp2p.dial(multiaddr(addr), { signal })))
      if (this.current?.host === host) this.components.syncNow()
      return
    } catch {
      // Unreachable: the host is gone.
    } finally {
      this.redialing = false
    }
    if (this.current?.host === host) await this.migrate(host)
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
