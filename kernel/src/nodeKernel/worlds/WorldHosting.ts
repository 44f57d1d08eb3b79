import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { MAX_SCRIPT_TASK_ELEMENTS, scriptEntitySchema } from '@peercompute/world-sdk'
import { scriptHost, worldScriptFromBundle } from '../scripts/ScriptHost.js'
import { PropAuthority } from './propAuthority.js'
import type { JsonValue, ScriptEntity, ScriptIntent, ScriptTask } from '@peercompute/world-sdk'
import type { ComputeResult, ComputeTask, CpuKernelName } from '../compute/computeTask.js'
import type { KernelLibp2p } from '../../platform/Platform.js'
import type { WorkerPort } from '../../platform/WorkerPort.js'
import type { PhysicsEngine, PhysicsWorld } from '../physics/PhysicsEngine.js'
import type { ScriptError, ScriptHost } from '../scripts/ScriptHost.js'
import type { StateManager } from '../state/StateManager.js'
import type { PropComponent } from '../state/worldSchema.js'
import type { PropAuthorityInit } from './propAuthority.js'
import type { PropSync, PropSyncStatus } from './propSync.js'
import type { VerifiedWorld } from './verifiedWorld.js'
import type { WorldHostRecord, WorldSource } from './WorldSource.js'

/** What a host of a world reports in the node's status. */
export interface WorldHostingStatus {
  world: string
  /** Addresses announced to the root's registry. */
  multiaddrs: string[]
  /** Whether the registry holds the latest announcement, and whether the DHT took the provider record. */
  announced: boolean
  provided: boolean
  script: { running: boolean; ticks: number; error: { reason: string; message: string } | null } | null
  /** Script intents applied to the world's document, and those refused (bad values, unknown entity). */
  intents: { applied: number; refused: number }
  /** The props this host simulates: whether Havok runs them, and their poses on the network; null for a world without props. */
  props: (PropSyncStatus & { simulating: boolean }) | null
}

export interface WorldHostingInit {
  /** How often the registry announcement is renewed. @default 10_000 */
  heartbeatMs?: number
  /** Run the world's script (main.js) when its rules allow. @default true */
  runScript?: boolean
  /** How the host publishes its props' poses. */
  props?: PropAuthorityInit
}

export interface WorldHostingComponents {
  state: StateManager
  libp2p(): KernelLibp2p | null
  source: WorldSource
  spawnWorker(): WorkerPort
  onError(err: Error): void
  /** Runs a compute task on this node's workers and its peers' (the node's submitTask). */
  submitTask(task: ComputeTask): Promise<ComputeResult>
  /** The world's prop poses on the network, and the world with its terrain: the host simulates the props. */
  props?: { sync: PropSync; world: PhysicsWorld } | null
  /** The node's own physics (a browser host's, its avatar in it), or null: the host then runs Havok without an avatar. */
  physics?(): PhysicsEngine | null
  spawnPhysicsWorker?(): WorkerPort
}

/** Tasks one world's script may have running at once; more are answered with an error event. */
const MAX_SCRIPT_TASKS_IN_FLIGHT = 4

const DEFAULT_PROP: PropComponent = { shape: 'box', size: [0.5, 0.5, 0.5], color: '#cccccc', mass: 0 }

/** The DHT key a world's hosts provide: CIDv1 (raw) of sha256(`peercompute/world/<id>`). */
export async function worldProviderKey(world: string): Promise<CID> {
  return CID.createV1(0x55, await sha256.digest(new TextEncoder().encode(`peercompute/world/${world}`)))
}

/** Hosts of `world` found through the DHT (provider records), within `timeoutMs`; [] when none answer. */
export async function dhtHosts(node: { kernel: { network: { libp2p(): KernelLibp2p | null } } } | KernelLibp2p, world: string, timeoutMs = 3000): Promise<WorldHostRecord[]> {
  const libp2p = 'kernel' in node ? node.kernel.network.libp2p() : node
  if (libp2p == null) return []
  const found: WorldHostRecord[] = []
  try {
    for await (const provider of libp2p.contentRouting.findProviders(await worldProviderKey(world), { signal: AbortSignal.timeout(timeoutMs) })) {
      const peerId = provider.id.toString()
      if (peerId === libp2p.peerId.toString() || found.some((h) => h.peerId === peerId)) continue
      const multiaddrs = provider.multiaddrs.map((a) => a.toString()).map((a) => (a.endsWith(`/p2p/${peerId}`) ? a : `${a}/p2p/${peerId}`))
      if (multiaddrs.length > 0) found.push({ peerId, multiaddrs, since: 0 })
      if (found.length >= 4) break
    }
  } catch {
    // Timed out or no DHT peers: what was found stands.
  }
  return found
}

/**
 * This node hosting one world: simulates the world's props with authority (PropAuthority), runs
 * the world's script in the ScriptHost (its source hash must match the manifest) with those props
 * among its entities, applies its intents (through the StateManager; moves of props to the
 * simulation), and announces the node (root registry with a heartbeat, and a DHT provider record).
 * `stop()` withdraws it all.
 */
export class WorldHosting {
  private scripts: ScriptHost | null = null
  private props: PropAuthority | null = null
  private heartbeat: ReturnType<typeof setInterval> | null = null
  private announced = false
  private provided = false
  private multiaddrs: string[] = []
  private scriptError: ScriptError | null = null
  private readonly counts = { applied: 0, refused: 0 }
  private readonly entityIds = new Map<string, string>()
  private applying: Promise<void> = Promise.resolve()
  private scriptTasks = 0
  private stopped = false
  private readonly abort = new AbortController()
  /** The announcement in flight (one at a time): `stop()` waits for it, or it would list the host again after the withdrawal. */
  private announcing: Promise<void> | null = null

  constructor(readonly world: VerifiedWorld, private readonly init: WorldHostingInit, private readonly components: WorldHostingComponents) {}

  /** Takes the props over, starts the script and announces the host; a failing script or Havok is reported, never fatal. */
  async start(): Promise<void> {
    await this.startProps()
    // Stopped while Havok loaded: start no script worker that nothing would end.
    if (this.stopped) return
    const { rules } = this.world.effective
    const bundled = (this.init.runScript ?? true) && rules.permissions.scripts ? worldScriptFromBundle(this.world, rules) : null
    const script = bundled == null ? null : { ...bundled, entities: this.restoredEntities() }
    if (script != null) {
      const host = scriptHost({})({
        spawnWorker: () => this.components.spawnWorker(),
        view: () => ({ players: this.players(), entities: this.props?.entities() ?? [] }),
        onIntents: (_world, intents) => { this.applying = this.applying.then(() => this.apply(intents)) },
        onError: (err) => { this.scriptError = err; this.components.onError(err) }
      })
      this.scripts = host
      host.start()
      await host.load(script).catch((err: unknown) => { this.scriptError ??= err as ScriptError })
    }
    await this.announceNow()
    if (this.stopped) return
    this.heartbeat = setInterval(() => { void this.announceNow() }, this.init.heartbeatMs ?? 10_000)
    void this.provide()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.abort.abort()
    if (this.heartbeat != null) clearInterval(this.heartbeat)
    this.heartbeat = null
    this.scripts?.stop()
    this.scripts = null
    this.props?.stop()
    this.props = null
    await this.applying.catch(() => {})
    await this.announcing
    const peerId = this.components.libp2p()?.peerId.toString()
    // Even when the latest announcement failed: an earlier one may still be listed (a host that was
    // stalled past the root's keep-alive sends its first heartbeat on a socket the root closed).
    if (peerId != null && this.multiaddrs.length > 0) await this.components.source.withdraw(this.world.manifest.id, peerId)
  }

  /** Tells the script that a player joined or left. */
  playerJoined(peerId: string, name: string): void {
    void this.scripts?.playerJoin(this.world.manifest.id, { id: peerId, name, position: [0, 0, 0] }).catch(() => {})
  }

  playerLeft(peerId: string): void {
    void this.scripts?.playerLeave(this.world.manifest.id, { id: peerId, name: '', position: [0, 0, 0] }).catch(() => {})
  }

  status(): WorldHostingStatus {
    const script = this.scripts?.scripts().find((s) => s.world === this.world.manifest.id)
    const error = this.scriptError
    return {
      world: this.world.manifest.id,
      multiaddrs: [...this.multiaddrs],
      announced: this.announced,
      provided: this.provided,
      script: this.scripts == null && error == null ? null : {
        running: script?.running ?? false,
        ticks: script?.ticks ?? 0,
        error: error == null ? null : { reason: error.reason, message: error.message }
      },
      intents: { ...this.counts },
      props: this.components.props == null ? null : { ...this.components.props.sync.status(), simulating: this.props != null }
    }
  }

  /** Simulates the world's props here from the last poses received; without Havok the world goes on with props at rest. */
  private async startProps(): Promise<void> {
    const props = this.components.props
    if (props == null || props.world.definition.props.length === 0) return
    const spawnPhysicsWorker = this.components.spawnPhysicsWorker
    const authority = new PropAuthority(this.init.props ?? {}, {
      world: props.world,
      sync: props.sync,
      physics: () => this.components.physics?.() ?? null,
      spawnPhysicsWorker: () => {
        if (spawnPhysicsWorker == null) throw new Error('This node cannot start a physics worker, so its world\'s props stay where they are.')
        return spawnPhysicsWorker()
      },
      players: () => this.components.state.presence.players(),
      onError: (err) => { this.components.onError(err) }
    })
    try {
      await authority.start()
      if (this.stopped) authority.stop()
      else this.props = authority
    } catch (err) {
      authority.stop()
      this.components.onError(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /**
   * The script's entities the world's document holds already (a host that took over, or one that
   * restarted on the root's copy): each named entity with script data. Its setup finds them through
   * `entities.get`, and its intents on them apply without spawning them again. The document keeps
   * no entity kind: these come as kind 'restored' until the script spawns them again.
   */
  private restoredEntities(): ScriptEntity[] {
    const restored: ScriptEntity[] = []
    for (const e of this.components.state.world()?.entities() ?? []) {
      if (restored.length >= this.world.effective.rules.limits.entities) break
      if (e.name == null || e.data == null || this.entityIds.has(e.name)) continue
      const parsed = scriptEntitySchema.safeParse({ id: e.name, kind: 'restored', position: e.transform?.position ?? [0, 0, 0], rotation: e.transform?.rotation ?? [0, 0, 0, 1], data: e.data })
      if (!parsed.success) continue
      this.entityIds.set(e.name, e.id)
      restored.push(parsed.data as ScriptEntity)
    }
    return restored
  }

  private players(): Array<{ id: string; name: string; position: [number, number, number] }> {
    return this.components.state.presence.players().map((p) => ({ id: p.peerId, name: p.name, position: p.position }))
  }

  private announceNow(): Promise<void> {
    // A heartbeat while one is still under way (a slow root, or this node was stalled) waits for it rather than racing it.
    this.announcing ??= this.announce().finally(() => { this.announcing = null })
    return this.announcing
  }

  private async announce(): Promise<void> {
    const node = this.components.libp2p()
    if (node == null || this.stopped) return
    const peerId = node.peerId.toString()
    this.multiaddrs = node.getMultiaddrs().map((a) => a.toString()).map((a) => a.endsWith(`/p2p/${peerId}`) ? a : `${a}/p2p/${peerId}`)
    if (this.multiaddrs.length === 0) {
      this.components.onError(new Error('This node has no address other nodes can dial, so nobody can join its world; start it with a listen address (nodePlatform({ listen })).'))
      return
    }
    try {
      await this.components.source.announce(this.world.manifest.id, { peerId, multiaddrs: this.multiaddrs })
      this.announced = true
    } catch (err) {
      this.announced = false
      this.components.onError(err as Error)
    }
  }

  private async provide(): Promise<void> {
    const node = this.components.libp2p()
    if (node == null) return
    try {
      await node.contentRouting.provide(await worldProviderKey(this.world.manifest.id), { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(10_000)]) })
      this.provided = true
    } catch {
      // The registry announcement is enough to be found; the DHT record is a second way.
      this.provided = false
    }
  }

  private async apply(intents: ScriptIntent[]): Promise<void> {
    const state = this.components.state
    for (const intent of intents) {
      if (this.stopped) return
      try {
        if (intent.type === 'spawn') {
          // A host that took over (or restarted on the root's copy) finds the script's entities in the
          // document already: its script's setup spawns them again, which updates them in place.
          const kept = state.world()?.entities().find((e) => e.name === intent.entity.id)
          const id = kept?.id ?? await state.placeProp(placement(intent.entity))
          if (kept != null) await state.moveProp(kept.id, { position: intent.entity.position, rotation: intent.entity.rotation })
          this.entityIds.set(intent.entity.id, id)
          // Data even when empty: it marks the entity as the script's, for a host that takes over (restoredEntities).
          await state.setEntityData(id, intent.entity.data)
        } else if ((intent.type === 'move' || intent.type === 'update') && this.isProp(intent.id)) {
          this.moveProp(intent)
        } else if (intent.type === 'update') {
          const id = this.docId(intent.id)
          await state.setEntityData(id, { ...state.world()?.entity(id)?.data, ...intent.data })
        } else if (intent.type === 'move') await state.moveProp(this.docId(intent.id), { position: intent.position, ...(intent.rotation == null ? {} : { rotation: intent.rotation }) })
        else if (intent.type === 'remove') {
          await state.removeProp(this.docId(intent.id))
          this.entityIds.delete(intent.id)
        } else if (intent.type === 'task') {
          this.runScriptTask(intent.name, intent.task)
        } else {
          // 'emit' goes to players as an event; the world document has no channel for events yet.
          this.counts.refused++
          continue
        }
        this.counts.applied++
      } catch {
        this.counts.refused++
      }
    }
  }

  /** Runs a script's task and hands the result (or why it failed) back to the script as `task:<name>`. */
  private runScriptTask(name: string, task: ScriptTask): void {
    const answer = (data: JsonValue): void => {
      if (!this.stopped) void this.scripts?.event(this.world.manifest.id, { name: `task:${name}`, data }).catch(() => {})
    }
    if (this.scriptTasks >= MAX_SCRIPT_TASKS_IN_FLIGHT) {
      answer({ ok: false, error: `Too many tasks at once: ${MAX_SCRIPT_TASKS_IN_FLIGHT} may run; wait for a result before submitting more.` })
      return
    }
    this.scriptTasks++
    void this.components.submitTask(computeTaskOf(task)).then((result) => {
      if (result.output.length > MAX_SCRIPT_TASK_ELEMENTS) {
        answer({ ok: false, error: `The output has ${result.output.length} numbers; a script takes ${MAX_SCRIPT_TASK_ELEMENTS} at most. Split the task.` })
        return
      }
      answer({ ok: true, output: [...result.output], device: result.device, ms: Math.round(result.ms), peers: Object.keys(result.chunks?.byPeer ?? {}).length || 1 })
    }, (err: unknown) => {
      answer({ ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
    }).finally(() => { this.scriptTasks-- })
  }

  /** A world.json prop the simulation moves, not an entity the script spawned under the same id. */
  private isProp(scriptId: string): boolean {
    return !this.entityIds.has(scriptId) && this.components.props?.world.definition.props.some((p) => p.id === scriptId) === true
  }

  /**
   * A script's `move` of a prop, or `update` with `{ position?, rotation?, velocity? }`, teleports
   * its body in the simulation (then at rest, unless a velocity is given); other data is refused.
   */
  private moveProp(intent: Extract<ScriptIntent, { type: 'move' | 'update' }>): void {
    const props = this.props
    if (props == null) throw new Error('the props are not simulated here')
    if (intent.type === 'move') {
      props.place(intent.id, intent.position, intent.rotation)
      return
    }
    const { position, rotation, velocity, ...rest } = intent.data
    if (Object.keys(rest).length > 0) throw new Error(`a prop takes position, rotation and velocity, not ${Object.keys(rest).join(', ')}`)
    const current = props.entities().find((e) => e.id === intent.id)
    if (current == null) throw new Error(`prop ${intent.id} does not move`)
    props.place(intent.id, numbers(position, 3) ?? current.position, numbers(rotation, 4) ?? current.rotation, numbers(velocity, 3))
  }

  private docId(scriptId: string): string {
    const id = this.entityIds.get(scriptId)
    if (id == null) throw new Error(`the script never spawned entity ${scriptId}`)
    return id
  }
}

/** `value` as a tuple of `length` finite numbers; undefined when absent; throws when malformed. */
function numbers<N extends 3 | 4>(value: JsonValue | undefined, length: N): (N extends 3 ? [number, number, number] : [number, number, number, number]) | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length !== length || !value.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw new Error(`expected ${length} finite numbers`)
  }
  return value as N extends 3 ? [number, number, number] : [number, number, number, number]
}

function placement(entity: ScriptEntity): { prop: PropComponent; position: [number, number, number]; rotation: [number, number, number, number]; name: string } {
  const { shape, size, color } = entity.data as { shape?: unknown; size?: unknown; color?: unknown }
  const prop: PropComponent = {
    shape: shape === 'sphere' || shape === 'box' ? shape : DEFAULT_PROP.shape,
    size: Array.isArray(size) && size.length === 3 && size.every((n) => typeof n === 'number' && n > 0 && n <= 1000) ? size as [number, number, number] : DEFAULT_PROP.size,
    color: typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color) ? color : DEFAULT_PROP.color,
    mass: 0
  }
  return { prop, position: entity.position, rotation: entity.rotation, name: entity.id.slice(0, 64) }
}

/** A script's task as the compute manager takes it (typed arrays; a 'range' split when given). */
function computeTaskOf(task: ScriptTask): ComputeTask {
  const input = task.array === 'u32' ? Uint32Array.from(task.input) : Float32Array.from(task.input)
  const distribute = task.split == null ? {} : { distribute: { split: { kind: 'range' as const, ...task.split }, verify: 0.25 } }
  return task.type === 'cpu'
    ? { type: 'cpu', kernel: task.kernel as CpuKernelName, input, ...distribute }
    : { type: 'webgpu', shader: task.shader, input, outputLength: task.outputLength, workgroups: task.workgroups, ...distribute }
}
