import { NodeKernel } from './nodeKernel/NodeKernel.js'
import { playerNameSchema } from './nodeKernel/state/stateSchemas.js'
import type { ComputeResult, ComputeTask } from './nodeKernel/compute/computeTask.js'
import type { Topology } from './nodeKernel/network/NetworkManager.js'
import type { NodeStatus, StorageMode } from './nodeKernel/NodeKernel.js'
import type { StatePersistence } from './nodeKernel/state/StatePersistence.js'
import type { Platform } from './platform/Platform.js'
import type { WorldNavigatorInit } from './nodeKernel/worlds/WorldNavigator.js'

/** Options of `createNode` (see ARCHITECTURE.md). */
export interface CreateNodeOptions {
  /** @default 'hierarchy' */
  topology?: Topology
  /** @default 'local' */
  storageMode?: StorageMode
  /** Accept WebGPU compute tasks when an adapter exists. @default false */
  enableWebGPU?: boolean
  /** Simulate the avatar with Havok in a worker. @default false */
  enablePhysics?: boolean
  /** Take input actions (bound to the DOM by the client). @default true for peers */
  enableInput?: boolean
  /** browserPlatform() or nodePlatform(). */
  platform: Platform
  /** Player display name, 1-32 characters. @default 'Player' */
  name?: string
  /** World id. @default 'overworld' */
  world?: string
  /** Multiaddrs of the root, each ending in /p2p/<peerId>. */
  bootstrap?: string[]
  /** Durable storage of world state: the root passes root-server's file persistence. @default in memory only */
  persistence?: StatePersistence
  /** Sub-worlds: `{ source: httpWorldSource({ root }), canHost? }` to join and host worlds by id. */
  worlds?: WorldNavigatorInit
}

/** A running PeerCompute node, as applications hold it. */
export interface PeerComputeNode {
  start(): Promise<void>
  stop(): Promise<void>
  getStatus(): NodeStatus
  submitTask(task: ComputeTask): Promise<ComputeResult>
  /** The kernel, for bindings (client, root). */
  readonly kernel: NodeKernel
}

/** Thrown by `createNode` for options it cannot use; the message names the option. */
export class NodeOptionsError extends Error {
  override name = 'NodeOptionsError'
}

/** Makes a node (not yet started) on the given platform. */
export async function createNode(options: CreateNodeOptions): Promise<PeerComputeNode> {
  if (options.name !== undefined && !playerNameSchema.safeParse(options.name).success) {
    throw new NodeOptionsError('name must be 1-32 characters without control characters; choose another name.')
  }
  const kernel = new NodeKernel({
    platform: options.platform,
    ...pick(options, ['topology', 'storageMode', 'enableWebGPU', 'enablePhysics', 'enableInput', 'name', 'world', 'bootstrap', 'persistence', 'worlds'])
  })
  return {
    kernel,
    start: () => kernel.start(),
    stop: () => kernel.stop(),
    getStatus: () => kernel.status(),
    submitTask: (task) => kernel.compute.submitTask(task)
  }
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): { [P in K]?: Exclude<T[P], undefined> } {
  const out: { [P in K]?: Exclude<T[P], undefined> } = {}
  for (const key of keys) {
    const value = source[key]
    if (value !== undefined) out[key] = value as Exclude<T[K], undefined>
  }
  return out
}
