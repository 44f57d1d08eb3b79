/** The StateManager's public shape: options, components, views and errors (the implementation is StateManager.ts). */
import type { PresencePlayer, SelfPose } from './PresenceStore.js'
import type { StatePersistence } from './StatePersistence.js'
import type { SyncHost } from './StateSync.js'
import type { AckStatus } from './syncMessages.js'
import type { TokenBucketInit } from './TokenBucket.js'
import type { WorldStateAt, WorldVersion } from './worldHistory.js'
import type { EntityData, PlacePropInit, SettingKey, Transform, WorldSettings } from './worldSchema.js'
import type { WorldView } from './worldView.js'
import type { ChatMessage, DropReason, KernelEvents } from '../KernelEvents.js'
import type { LoadedWorld } from '../LoadedWorld.js'
import type { WorldChannel } from '../worldTopics.js'
import type { Startable, TypedEventTarget } from '@libp2p/interface'

export interface StateManagerInit {
  /** Per-peer limit on presence messages. @default { ratePerSecond: 60, burst: 120 } */
  presenceRate?: TokenBucketInit
  /** Per-peer limit on state-topic messages. @default { ratePerSecond: 20, burst: 40 } */
  stateRate?: TokenBucketInit
  /** Per-peer limit on sync requests and pushes this node answers. @default { ratePerSecond: 20, burst: 60 } */
  syncRate?: TokenBucketInit
  /** Messages over a rate limit after which the sender is disconnected and banned. @default 100 */
  disconnectAfter?: number
  /** Refused messages (bad bytes, bad shape, spoofed) after which the sender is disconnected. @default 20 */
  rejectAfter?: number
  /** A remote player leaves after this long without presence. @default 5000 */
  presenceTimeoutMs?: number
  /** Answer other nodes' sync requests (the root, nodes without one, a world's host); a function is asked each time. @default true */
  answerSync?: boolean | (() => boolean)
  /** 'propagate': every write also goes to the parent, and resolves once the parent has it on disk. @default 'local' */
  storageMode?: 'local' | 'propagate'
  /** Durable storage (the root): the world entered is loaded from and logged to it; pushes of other worlds are kept in it. */
  persistence?: StatePersistence
}

export interface StateManagerComponents {
  events: TypedEventTarget<KernelEvents>
  /** Hands an outgoing message to the network. */
  publish(channel: WorldChannel, bytes: Uint8Array): void
  /** Disconnects and bans a peer that keeps breaking the rules. */
  disconnect(peerId: string): void
  /** The parent's peerId (the root), or null for a node without one. */
  parent?(): string | null
  /** Asks the parent for history this node lacks (state-sync protocol). */
  requestSync?(): void
  /** Sends a write to the parent and resolves once it acknowledged (storage mode 'propagate'). */
  push?(world: string, update: Uint8Array): Promise<AckStatus>
}

/** Whether an incoming message is merged and forwarded, refused (sender scored down), or ignored. */
export type Verdict = 'accept' | 'reject' | 'ignore'

/** Messages refused at the boundary, by channel. */
export interface DroppedCounts { presence: number; state: number; chat: number }

/** What happened to world-document updates on this node. */
export interface StateStats {
  /** Remote updates merged. */
  applied: number
  /** Updates whose operations were all known already: neither merged again nor logged again. */
  replays: number
  /** Updates refused, by reason. */
  refused: Partial<Record<DropReason | 'pending', number>>
  /** Writes that failed to reach the disk (persisting nodes). */
  persistErrors: number
}

/** Presence of the current world, as bindings read it. */
export interface PresenceView {
  /** Remote players with their latest samples (sender's `time`, local `receivedAt`), plus self. */
  players(): PresencePlayer[]
}

/** Chat of the current world. */
export interface ChatView {
  /** Sends a line; throws ChatRejectedError (rules) or NotInWorldError. */
  send(text: string): ChatMessage
  /** The newest lines in converged order. */
  messages(): ChatMessage[]
}

/**
 * The only writer of world state. Other managers read through `world()` and change the world
 * with intents (`placeProp`, `moveProp`, `removeProp`, `sendChat`, `setSetting`), which resolve
 * once the write is durable: at once for storage mode 'local', after the parent's ack for 'propagate'.
 */
export interface StateManager extends Startable, SyncHost {
  readonly presence: PresenceView
  readonly chat: ChatView
  /** The world entered, with typed read access to its document; null outside a world. */
  world(): WorldView | null
  enterWorld(world: Pick<LoadedWorld, 'id' | 'name' | 'rules'>, self: { peerId: string; name: string }): void
  leaveWorld(): void
  /** Sets this node's avatar pose; returns the presence bytes to publish (null outside a world). */
  setSelfPose(pose: SelfPose): Uint8Array | null
  /** Checks, rate-limits and merges a message that `from` published. Never throws. */
  receive(channel: WorldChannel, from: string, bytes: Uint8Array): Verdict
  /** Places a prop; resolves to its entity id. Throws InvalidComponentError, UnknownEntityError (parent), NotInWorldError. */
  placeProp(init: PlacePropInit): Promise<string>
  moveProp(id: string, transform: Partial<Transform>): Promise<void>
  removeProp(id: string): Promise<void>
  /** Replaces an entity's script data (a world's host applying its script's `entities.update`). */
  setEntityData(id: string, data: EntityData): Promise<void>
  sendChat(text: string): Promise<ChatMessage>
  /** Sets a world setting (the world's host; others' settings are refused by every node). */
  setSetting<K extends SettingKey>(key: K, value: NonNullable<WorldSettings[K]>): Promise<void>
  /** The world's versions, oldest first. */
  history(): WorldVersion[]
  /** The world as it was at `version` (throws UnknownVersionError). */
  stateAt(version: string): WorldStateAt
  /** A peer's connection closed: forget its presence and buckets. */
  peerGone(peerId: string): void
  dropped(): DroppedCounts
  stats(): StateStats
}

/** Thrown when an action needs a world and none was entered. */
export class NotInWorldError extends Error {
  override name = 'NotInWorldError'
}

/** Thrown by an intent when storage mode 'propagate' could not get the parent's acknowledgement. */
export class NotPersistedError extends Error {
  override name = 'NotPersistedError'
}

