import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { fetchVerifiedWorld } from './verifiedWorld.js'
import { PropSync } from './propSync.js'
import { WorldHosting, dhtHosts } from './WorldHosting.js'
import { HostWatch } from './hostWatch.js'
import { HostClaims } from './hostClaims.js'
import { HostMigration } from './hostMigration.js'
import { NoHostError, dialHost } from './dialHost.js'
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
import type { HostClaimsInit } from './hostClaims.js'
import type { MigrationRecord } from './hostMigration.js'
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
  /** How a host claims its world, so that two hosts of one world find each other and one steps down. */
  claims?: HostClaimsInit
}

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
  /** Host migrations this node saw (host gone, or a host that stepped down for another), with how long each took, ms. */
  migrations: MigrationRecord[]
  /** A hosted world's prop poses: who publishes them and what this node refused; null outside hosted worlds. */
  props: PropSyncStatus | null
}

export { NoHostError } from './dialHost.js'

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
 * Joining, hosting and leaving sub-worlds, and keeping a world alive with one host when its host
 * leaves or freezes (hostMigration.ts: election, re-attach, and a host that steps down for a host
 * of a later term, which it learns from their claims, hostClaims.ts).
 */
export class WorldNavigator {
  private current: Current | null = null
  /** The place a join or host is entering: the kernel may show its world before `current` is set. */
  private entering: Current | null = null
  private hosting: WorldHosting | null = null
  private readonly hostWatch: HostWatch
  private readonly migration: HostMigration<Current>
  private readonly claims: HostClaims
  /** The current world's host as found in the registry (its addresses, for dialling it again). */
  private hostRecord: WorldHostRecord | null = null
  /** Set by `stop()`: a migration still under way then hosts nothing and re-attaches nowhere. */
  private stopped = false

  constructor(private readonly init: WorldNavigatorInit, private readonly components: WorldNavigatorComponents) {
    this.migration = this.hostMigration()
    this.claims = new HostClaims(init.claims ?? {}, {
      libp2p: () => this.components.libp2p(),
      place: () => (this.current?.world.manifest.parent == null ? null : { world: this.current.world.manifest.id, host: this.current.host }),
      ownTerm: () => (this.hosting == null ? null : this.migration.hostTerm()),
      onRival: (claim) => { void this.migration.reconcile(claim) },
      onHandedOver: (claim) => { void this.migration.follow(claim) },
      hosts: (world) => this.source().hosts(world)
    })
    this.hostWatch = new HostWatch({ intervalMs: init.hostPingMs ?? 500 }, {
      libp2p: () => this.components.libp2p(),
      host: () => this.remoteHost(),
      silentFor: (peerId) => {
        const heard = this.components.state.presence.players().find((p) => p.peerId === peerId)?.receivedAt
        return heard == null ? Number.POSITIVE_INFINITY : wallClock() - heard
      },
      onAnswer: (host) => { this.migration.hostAnswered(host) },
      onGone: (host) => { void this.migration.migrate(host) }
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
    const host = await dialHost(this.requireNode(), hosts)
    this.hostRecord = host
    this.components.setStateParent(host.peerId)
    await this.enterPlace({ world, host: host.peerId, parent: host.peerId })
    this.hostWatch.start()
  }

  /** Hosts a verified world (or world `id`, fetched and verified) on this node and announces it. */
  async host(world: VerifiedWorld | string): Promise<WorldHostingStatus> {
    const verified = typeof world === 'string' ? await fetchVerifiedWorld(this.source(), world) : world
    await this.stopHosting()
    const parent = await this.parentHost(verified)
    this.components.setStateParent(this.components.storageMode === 'propagate' ? this.components.rootPeer : null)
    await this.enterPlace({ world: verified, host: this.selfId(), parent })
    this.migration.hosted()
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
    await this.claims.enter(next.world.manifest.parent == null ? null : next.world.manifest.id)
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
      migrations: this.migration.migrations(),
      props: current?.props?.status() ?? null
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.hostWatch.stop()
    // A migration under way (the host went as this node stops) must not make it host or move it afterwards.
    await this.migration.halt()
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.events.removeEventListener('player:join', this.onPlayerJoin)
    this.components.events.removeEventListener('player:leave', this.onPlayerLeave)
    await this.claims.stop()
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
    if (this.stopped && this.hosting === hosting) await this.stopHosting()
    return hosting.status()
  }

  private async stopHosting(): Promise<void> {
    const hosting = this.hosting
    this.hosting = null
    await hosting?.stop()
  }

  /** The migration's hold on this navigator: what it reads of the place, and how it re-attaches the node or makes it host. */
  private hostMigration(): HostMigration<Current> {
    return new HostMigration({ canHost: this.init.canHost ?? true, timeoutMs: this.init.migrationTimeoutMs ?? 5000 }, {
      selfId: () => this.selfId(),
      rootPeer: this.components.rootPeer,
      place: () => this.current,
      players: () => this.components.state.presence.players().map((p) => p.peerId),
      hosting: () => this.hosting != null,
      hosts: (world) => this.source().hosts(world),
      dial: (host) => dialHost(this.requireNode(), [host]),
      redial: async (host, signal) => {
        const libp2p = this.requireNode()
        const record = this.hostRecord?.peerId === host ? this.hostRecord : null
        if (record == null) await libp2p.dial(peerIdFromString(host), { signal })
        else await Promise.any(record.multiaddrs.map((addr) => libp2p.dial(multiaddr(addr), { signal })))
      },
      syncNow: () => { this.components.syncNow() },
      whoHosts: (peer, world) => this.claims.whoHosts(peer, world),
      termOf: (peerId) => this.claims.termOf(peerId),
      heard: (peerId, term) => { this.claims.heard(peerId, term) },
      takeOver: async (current) => {
        if (this.stopped) return
        this.components.setStateParent(this.components.storageMode === 'propagate' ? this.components.rootPeer : null)
        // The old host was this node's parent; a host's is its parent world's host.
        this.current = { ...current, host: this.selfId(), parent: await this.parentHost(current.world) }
        this.components.placeChanged?.()
        await this.startHosting(current.world)
      },
      attach: async (place, host) => {
        if (this.stopped) return
        if (this.hosting != null) {
          await this.stopHosting()
          // Its physics simulated the props as the host; it follows the new host's poses now.
          this.components.physics()?.setPropMode('follow')
        }
        this.hostRecord = host
        this.components.setStateParent(host.peerId)
        this.current = { ...place, host: host.peerId, parent: host.peerId }
        this.components.placeChanged?.()
        this.components.syncNow()
        this.hostWatch.start()
      },
      leave: () => this.leave(),
      onError: (err) => { this.components.events.dispatchEvent(new CustomEvent('error', { detail: err })) }
    })
  }

  /** The current world's host when it is another node than this one and the root, and no migration is under way; else null. */
  private remoteHost(): string | null {
    const host = this.current?.host
    const self = this.components.libp2p()?.peerId.toString()
    if (host == null || host === self || host === this.components.rootPeer || this.migration.isMigrating()) return null
    return host
  }

  private readonly onPeerDisconnect = (event: CustomEvent<{ peerId: string }>): void => {
    const host = this.remoteHost()
    if (host != null && event.detail.peerId === host) void this.migration.linkClosed(host)
  }

  private readonly onPlayerJoin = (event: CustomEvent<{ peerId: string; name: string }>): void => {
    this.hosting?.playerJoined(event.detail.peerId, event.detail.name)
  }

  private readonly onPlayerLeave = (event: CustomEvent<{ peerId: string }>): void => {
    this.hosting?.playerLeft(event.detail.peerId)
    // A host that moved to another world keeps its connections but leaves this world's presence.
    const host = this.current?.host
    if (host != null && event.detail.peerId === host && host !== this.components.rootPeer && this.hosting == null) void this.migration.hostLeft(host)
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
