import { TypedEventEmitter } from '@libp2p/interface'
import { DEFAULT_BASIS_RULES } from '@peercompute/world-sdk'
import { computeManager } from './compute/ComputeManager.js'
import { computeTerrain } from './compute/terrain/terrainTask.js'
import { topologyTarget, worldTopology } from './network/WorldTopology.js'
import { GossipRoutes, offRoutesOf } from './network/gossipRoutes.js'
import { inputManager } from './input/InputManager.js'
import { networkManager } from './network/NetworkManager.js'
import { physicsEngine } from './physics/PhysicsEngine.js'
import { stateManager } from './state/StateManager.js'
import { stateSync } from './state/StateSync.js'
import { WorldNavigator } from './worlds/WorldNavigator.js'
import { peerIdOfAddr } from './network/transportOf.js'
import type { ComputeManager } from './compute/ComputeManager.js'
import type { TerrainOrigin } from './compute/terrain/terrainTask.js'
import type { InputManager } from './input/InputManager.js'
import type { KernelEvents, PeerTransport } from './KernelEvents.js'
import type { LoadedWorld } from './LoadedWorld.js'
import type { NetworkManager, Topology } from './network/NetworkManager.js'
import type { TopologyLink, TopologyStatus } from './network/topology/TopologyService.js'
import type { WorldTopology } from './network/WorldTopology.js'
import type { PhysicsEngine, PhysicsEngineInit } from './physics/PhysicsEngine.js'
import type { SelfPose } from './state/PresenceStore.js'
import type { StateManager, StateManagerInit } from './state/StateManager.js'
import type { StatePersistence } from './state/StatePersistence.js'
import type { StateSync, StateSyncInit } from './state/StateSync.js'
import type { WorldNavigatorInit, WorldPlace } from './worlds/WorldNavigator.js'
import type { NodeRole, Platform } from '../platform/Platform.js'
import type { PrivateKey, Startable } from '@libp2p/interface'

/** Where world state is kept: by the host only, or also up the hierarchy to the parent and root. */
export type StorageMode = 'local' | 'propagate'

/** A node's state at a glance, for HUDs, health checks and tests. */
export interface NodeStatus {
  started: boolean
  peerId: string | null
  role: NodeRole
  /** How this node links now: its current world's `network.topology` rule, or its own createNode choice. */
  topology: Topology
  storageMode: StorageMode
  world: { id: string; name: string } | null
  renderer: 'webgpu' | 'webgl2' | null
  fps: number | null
  /** Round trip to the root, ms. */
  pingMs: number | null
  peers: Array<{ peerId: string; transport: PeerTransport; rttMs: number | null }>
  players: Array<{ peerId: string; name: string; position: [number, number, number]; yaw: number; self: boolean }>
  /** Messages refused at the boundary. */
  dropped: { presence: number; state: number; chat: number }
  /** Worlds published on the root, as the binding last listed them (`GET /api/worlds`); [] until then. */
  worlds: WorldListing[]
  /** 'emergent': this node's cluster (itself and its fast mates) and the gateway to the parent. */
  cluster: { id: string; members: string[] } | null
  gateway: string | null
  /** This node's links as the topology sees them, with measured round trip and throughput. */
  links: TopologyLink[]
  /** World ids from the root's world down to the current one (`joinWorld`/`hostWorld`). */
  chain: WorldPlace['chain']
  /** The node this one is a child of (the current world's host; for a host, the parent world's host); the root at the top. */
  parent: WorldPlace['parent']
  effectiveRules: WorldPlace['effectiveRules']
  /** The world this node hosts, its announcement and script; null when it hosts none. */
  hosting: WorldPlace['hosting']
  migrations: WorldPlace['migrations']
  /** A hosted world's prop poses (the host publishes, members follow): role, counts, refusals; null elsewhere. */
  props: WorldPlace['props']
  /** How the current world's terrain was made: the compute network (device, chunks per peer) or, as a fallback, here. */
  terrain: TerrainOrigin | null
}

/** A published world as a binding lists it for the status (from the root's `GET /api/worlds`). */
export interface WorldListing {
  id: string
  name: string
  version: string
  /** RFC 7638 thumbprint of the publisher's key. */
  publisher: string
  parent: string | null
}

export interface NodeKernelInit {
  platform: Platform
  /** @default 'hierarchy' */
  topology?: Topology
  /** @default 'local' */
  storageMode?: StorageMode
  /** @default false */
  enableWebGPU?: boolean
  /** Simulate the avatar with Havok in a worker (never on the root). @default false */
  enablePhysics?: boolean
  /** @default true for peers, false for the root */
  enableInput?: boolean
  /** Player display name. @default 'Player' */
  name?: string
  /** The world the root carries from start (peers enter worlds with `enterWorld`). @default 'overworld' */
  world?: string
  /** Multiaddrs of the root. @default [] */
  bootstrap?: string[]
  privateKey?: PrivateKey
  /** Durable storage of world state (the root). @default none: state lives in memory */
  persistence?: StatePersistence
  state?: StateManagerInit
  sync?: StateSyncInit
  physics?: PhysicsEngineInit
  /** Joining, hosting and host migration of sub-worlds (`joinWorld`, `hostWorld`); needs a `source`. */
  worlds?: WorldNavigatorInit
}

/**
 * The compute node: owns the state, network, compute, physics and input managers, wires them,
 * and starts and stops them in order. Bindings (client, root-server) read the managers and listen
 * for its events; only the StateManager writes world state.
 */
export class NodeKernel extends TypedEventEmitter<KernelEvents> implements Startable {
  readonly role: NodeRole
  readonly state: StateManager
  readonly network: NetworkManager
  readonly compute: ComputeManager
  /** Havok in a worker; null when physics is disabled (always on the root). */
  readonly physics: PhysicsEngine | null
  readonly input: InputManager
  /** The state-sync protocol: late joiners and reconnecting nodes fetch what they lack; 'propagate' pushes. */
  readonly sync: StateSync
  /** Sub-worlds: join, host, leave, and host migration (behind `joinWorld`, `hostWorld`, `leaveWorld`). */
  readonly subWorlds: WorldNavigator

  private started = false
  /** The topology service, re-targeted as the node moves between worlds. */
  private topology: WorldTopology | null = null
  /** Which connected peers the world's gossip holds back: those off the topology's links (gossipRoutes.ts). */
  private readonly routes = new GossipRoutes()
  private readonly parentId: string | null
  /** Whom world state syncs with: the root, the host of the world joined, or nobody (this node hosts). */
  private stateParent: string | null
  private current: LoadedWorld | null = null
  private terrainOrigin: TerrainOrigin | null = null
  /** Set by the navigator's terrain step for the enterWorld that follows it. */
  private nextTerrainOrigin: TerrainOrigin | null = null
  private pose: SelfPose | null = null
  private render: { renderer: 'webgpu' | 'webgl2' | null; fps: number | null } = { renderer: null, fps: null }
  private worlds: WorldListing[] = []

  constructor(private readonly init: NodeKernelInit) {
    super()
    const { platform } = init
    this.role = platform.role
    const parent = this.role === 'root' ? null : (init.bootstrap ?? []).map(peerIdOfAddr).find((id) => id != null) ?? null
    this.parentId = parent
    this.stateParent = parent
    this.state = stateManager({
      answerSync: () => this.role === 'root' || this.stateParent == null || this.subWorlds.isHosting(),
      storageMode: init.storageMode ?? 'local',
      ...(init.persistence == null ? {} : { persistence: init.persistence }),
      ...init.state
    })({
      events: this,
      publish: (channel, bytes) => { this.network.publish(channel, bytes) },
      disconnect: (peerId) => { this.network.disconnect(peerId) },
      parent: () => this.stateParent,
      requestSync: () => { this.sync.syncNow() },
      push: (world, update) => this.sync.push(world, update)
    })
    this.sync = stateSync(init.sync ?? {})({ libp2p: () => this.network.libp2p(), host: this.state, parent: () => this.stateParent })
    this.network = networkManager({
      topology: init.topology ?? 'hierarchy',
      bootstrap: init.bootstrap ?? [],
      // The world's gossip goes along the topology's links, and browsers dial each other directly
      // only where the topology links players ('distributed' mesh, 'emergent' clusters), never in a hierarchy.
      routes: this.routes,
      wantsDirect: () => (this.topology?.current().topology ?? init.topology ?? 'hierarchy') !== 'hierarchy',
      ...(init.privateKey == null ? {} : { privateKey: init.privateKey })
    })({ platform, state: this.state, events: this, pose: () => this.currentPose(), sync: () => { this.sync.syncNow() } })
    this.compute = computeManager({ enableWebGPU: init.enableWebGPU ?? false })({
      spawnWorker: (kind) => platform.spawnWorker(kind),
      libp2p: () => this.network.libp2p(),
      // Chunks go along the topology's links (parent, children, cluster mates or mesh), not to strangers.
      computePeers: () => this.topology?.status()?.links.filter((l) => l.role !== 'peer').map((l) => l.peerId) ?? []
    })
    this.physics = init.enablePhysics === true && this.role !== 'root'
      ? physicsEngine(init.physics ?? {})({
        spawnWorker: () => platform.spawnWorker('physics'),
        onError: (err) => { this.dispatchEvent(new CustomEvent('error', { detail: err })) }
      })
      : null
    this.subWorlds = new WorldNavigator(init.worlds ?? {}, {
      state: this.state,
      events: this,
      libp2p: () => this.network.libp2p(),
      rootPeer: parent,
      storageMode: init.storageMode ?? 'local',
      enter: (world) => this.enterWorld(world),
      submitTask: (task) => this.compute.submitTask(task),
      terrain: async (world) => {
        for (const sha256 of world.computeCode ?? []) this.compute.trust(sha256)
        const { heights, origin } = await computeTerrain(this.compute, world.definition.terrain)
        this.nextTerrainOrigin = origin
        return heights
      },
      setStateParent: (peerId) => { this.stateParent = peerId },
      syncNow: () => { this.sync.syncNow() },
      placeChanged: () => { if (this.current != null) void this.retargetTopology(this.current.id) },
      spawnScriptsWorker: () => platform.spawnWorker('scripts'),
      physics: () => this.physics,
      spawnPhysicsWorker: () => platform.spawnWorker('physics')
    })
    this.input = inputManager()({ onInput: (input) => { this.physics?.setInput(input) } })
  }

  isStarted(): boolean { return this.started }

  async start(): Promise<void> {
    if (this.started) return
    try {
      await this.state.start()
      await this.network.start()
      const libp2p = this.network.libp2p()
      if (libp2p != null) {
        const topology = worldTopology({ topology: this.init.topology ?? 'hierarchy', parent: this.role === 'root' ? null : this.parentId })({ libp2p })
        this.topology = topology
        await topology.start()
        const self = libp2p.peerId.toString()
        this.routes.follow(() => offRoutesOf(topology.status(), self, (id) => topology.isSibling(id)))
      }
      await this.sync.start()
      await this.compute.start()
      await this.physics?.start()
      if (this.init.enableInput ?? this.role !== 'root') await this.input.start()
      // The root carries its world's topics from the start (gossipsub forwards them as the hub);
      // it needs no terrain or physics, so default rules stand in until enterWorld gives the real ones.
      if (this.role === 'root') this.enterRootWorld({ id: this.init.world ?? 'overworld', name: this.init.world ?? 'overworld', rules: DEFAULT_BASIS_RULES })
    } catch (err) {
      await this.stopManagers()
      throw err
    }
    this.started = true
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.subWorlds.stop()
    await this.stopManagers()
    this.current = null
    this.pose = null
  }

  /** The world this node is in, terrain included; null before enterWorld. */
  world(): LoadedWorld | null { return this.current }

  /** Subscribes the world's topics, loads its physics and starts presence. */
  async enterWorld(world: LoadedWorld): Promise<void> {
    const peerId = this.network.peerId()
    if (!this.started || peerId == null) throw new Error('Start the node (node.start()) before entering a world.')
    this.current = world
    this.pose = null
    this.terrainOrigin = this.nextTerrainOrigin ?? { device: 'main thread', ms: 0, byPeer: {}, verified: 0, fallback: 'made by the caller before the node started' }
    this.nextTerrainOrigin = null
    // Code the world's signed bundle lists (its terrain shader, say) may now run here, for anyone.
    for (const sha256 of world.computeCode ?? []) this.compute.trust(sha256)
    if (this.role === 'root') {
      this.enterRootWorld(world)
      return
    }
    this.state.enterWorld(world, { peerId, name: this.init.name ?? 'Player' })
    this.network.joinWorld(world.id)
    await this.retargetTopology(world.id)
    if (this.physics != null) {
      // generateHeightfield allocates a plain ArrayBuffer; the physics schema's type says so.
      await this.physics.loadWorld({ ...world, heights: world.heights as Float32Array<ArrayBuffer> })
      this.physics.setInput(this.input.current())
    }
  }

  /**
   * Fetches world `id` from the root, verifies its bundle and its rules against its parents
   * (RuleViolationError names the rule), dials its host and enters it as the host's child.
   */
  async joinWorld(id: string): Promise<void> {
    await this.subWorlds.join(id)
  }

  /** Hosts world `id` (fetched and verified) or a verified world on this node, and announces it. */
  async hostWorld(world: Parameters<WorldNavigator['host']>[0]): Promise<NonNullable<NodeStatus['hosting']>> {
    return await this.subWorlds.host(world)
  }

  /**
   * In a sub-world (joined or hosted): returns to its parent world. Otherwise leaves the current
   * world: unsubscribes its topics and drops its state from this node.
   */
  async leaveWorld(): Promise<void> {
    if (this.subWorlds.inSubWorld()) {
      await this.subWorlds.leave()
      return
    }
    this.network.leaveWorld()
    this.state.leaveWorld()
    this.current = null
  }

  /** Sets the avatar pose of a node without physics (a headless player, a bot, a test). */
  setPose(pose: SelfPose): void {
    this.pose = { position: [...pose.position], yaw: pose.yaw, velocity: [...pose.velocity] }
  }

  /** The render binding reports what it draws with, for the status. */
  reportRender(report: { renderer: 'webgpu' | 'webgl2'; fps: number }): void {
    this.render = { renderer: report.renderer, fps: Number.isFinite(report.fps) ? Math.round(report.fps * 10) / 10 : null }
  }

  /** The binding reports the root's published worlds, for the status. */
  reportWorlds(worlds: readonly WorldListing[]): void {
    this.worlds = worlds.map(({ id, name, version, publisher, parent }) => ({ id, name, version, publisher, parent }))
  }

  status(): NodeStatus {
    const world = this.state.world()
    return {
      started: this.started,
      peerId: this.network.peerId(),
      role: this.role,
      topology: this.topology?.current().topology ?? this.init.topology ?? 'hierarchy',
      storageMode: this.init.storageMode ?? 'local',
      world: world == null ? null : { id: world.id, name: world.name },
      renderer: this.render.renderer,
      fps: this.render.fps,
      pingMs: this.network.pingMs(),
      peers: this.network.peers(),
      players: this.state.presence.players().map(({ peerId, name, position, yaw, self }) => ({ peerId, name, position, yaw, self })),
      dropped: this.state.dropped(),
      worlds: this.worlds.map((world) => ({ ...world })),
      terrain: this.terrainOrigin == null ? null : { ...this.terrainOrigin, byPeer: { ...this.terrainOrigin.byPeer } },
      ...placeOf(this.subWorlds.place(world?.id ?? null)),
      ...pickTopology(this.topology?.status() ?? null)
    }
  }

  /**
   * Links this node as its place in world `worldId` asks: a member under the world's host with the
   * world's `network` rule; a host under its parent world's host with that world's rule (it is a
   * member there); elsewhere under the root with its own topology. A failure is reported, not thrown:
   * the node is in the world either way.
   */
  private async retargetTopology(worldId: string): Promise<void> {
    const place = this.subWorlds.place(worldId)
    const inPlace = place.chain.at(-1) === worldId && place.effectiveRules != null
    const hosting = inPlace && place.host === this.network.peerId()
    const target = topologyTarget(
      inPlace ? { parent: place.parent, rules: hosting ? place.parentRules : place.effectiveRules } : { parent: this.parentId, rules: null },
      this.init.topology ?? 'hierarchy'
    )
    await this.topology?.retarget(target).catch((err: unknown) => {
      this.dispatchEvent(new CustomEvent('error', { detail: err instanceof Error ? err : new Error(String(err)) }))
    })
  }

  private enterRootWorld(world: Pick<LoadedWorld, 'id' | 'name' | 'rules'>): void {
    const peerId = this.network.peerId() ?? ''
    this.state.enterWorld(world, { peerId, name: 'root' })
    this.network.joinWorld(world.id)
  }

  private currentPose(): SelfPose | null {
    const avatar = this.physics?.avatar()
    if (avatar != null) return { position: avatar.position, yaw: avatar.yaw, velocity: avatar.velocity }
    if (this.pose != null) return this.pose
    return this.current == null ? null : { position: this.current.definition.spawn, yaw: 0, velocity: [0, 0, 0] }
  }

  private async stopManagers(): Promise<void> {
    await this.input.stop()
    await this.physics?.stop()
    await this.compute.stop()
    await this.sync.stop()
    this.routes.follow(null)
    await this.topology?.stop()
    this.topology = null
    await this.network.stop()
    await this.state.stop()
  }
}

function pickTopology(s: TopologyStatus | null): Pick<NodeStatus, 'cluster' | 'gateway' | 'links'> {
  return s == null ? { cluster: null, gateway: null, links: [] } : { cluster: s.cluster, gateway: s.gateway, links: s.links }
}

function placeOf(p: WorldPlace): Pick<NodeStatus, 'chain' | 'parent' | 'effectiveRules' | 'hosting' | 'migrations' | 'props'> {
  return { chain: p.chain, parent: p.parent, effectiveRules: p.effectiveRules, hosting: p.hosting, migrations: p.migrations, props: p.props }
}
