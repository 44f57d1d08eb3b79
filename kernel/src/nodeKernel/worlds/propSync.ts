import { TopicValidatorResult } from '@libp2p/gossipsub'
import { PROP_STRIDE } from '../physics/physicsMessages.js'
import { TokenBuckets } from '../state/TokenBucket.js'
import { worldPropsTopic } from '../worldTopics.js'
import { decodePropPoses, encodePropPoses } from './propPoseMessage.js'
import type { KernelLibp2p } from '../../platform/Platform.js'
import type { PhysicsEngine } from '../physics/PhysicsEngine.js'
import type { PhysicsWorld, PropPoseBatch } from '../physics/physicsMessages.js'
import type { Verdict } from '../state/StateManager.js'
import type { PropPosesRefusal } from './propPoseMessage.js'
import type { Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'

/** Why a prop-poses message was refused: its author is not the world's host, or it broke the format or the rate. */
export type PropSyncRefusal = PropPosesRefusal | 'notHost' | 'rate'

/** A hosted world's prop poses as this node sees them, for `getStatus().props`. */
export interface PropSyncStatus {
  /** 'host': this node simulates the props and publishes their poses; 'member': it follows the host's. */
  role: 'host' | 'member'
  /** Whose poses are accepted: the world's host. */
  host: string | null
  /** Messages this node published (as the host). */
  published: number
  /** Messages from the host taken in. */
  received: number
  /** Messages from the host older than one already taken (out of order): skipped, not refused. */
  stale: number
  /** Messages refused at the boundary, by reason. */
  refused: Record<PropSyncRefusal, number>
}

export interface PropSyncInit {
  /** Per-peer limit on prop-poses messages (20 Hz, split above 528 props a message). @default { ratePerSecond: 100, burst: 200 } */
  rate?: { ratePerSecond: number; burst: number }
}

export interface PropSyncComponents {
  libp2p(): KernelLibp2p | null
  /** The world's host now (the navigator's; it changes when the host migrates). */
  host(): string | null
  /** The node's own physics, which follows the host's poses while this node is a member; null without. */
  physics(): PhysicsEngine | null
  /** Scores down a peer that sent garbage (the StateManager's strike: enough of them and it is dropped). */
  strike(peerId: string): void
}

/** A sequence number this far below the last one means the host started again, not a late message. */
const RESTART_GAP = 1000

const VALIDATOR_RESULTS: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept, reject: TopicValidatorResult.Reject, ignore: TopicValidatorResult.Ignore
}

/**
 * One hosted world's prop poses on the network (topic `worldPropsTopic(id)`): the host publishes
 * them, every member checks each message at the boundary (author = the world's host, size, layout,
 * schema, rate, order), keeps the latest pose of each prop (a member elected host after a migration
 * starts from them) and hands them to its physics, which follows them.
 */
export class PropSync {
  private readonly topic: string
  private readonly poses: Float32Array<ArrayBuffer>
  private readonly snaps: Uint8Array<ArrayBuffer>
  private readonly buckets: TokenBuckets
  private readonly lastSeq = new Map<string, number>()
  private seq = 0
  private started = false
  private readonly counts: Omit<PropSyncStatus, 'role' | 'host'> = {
    published: 0, received: 0, stale: 0, refused: { notHost: 0, size: 0, decode: 0, shape: 0, rate: 0 }
  }

  constructor(readonly world: string, private readonly props: PhysicsWorld['definition']['props'], init: PropSyncInit, private readonly components: PropSyncComponents) {
    this.topic = worldPropsTopic(world)
    this.poses = new Float32Array(props.length * PROP_STRIDE)
    props.forEach((prop, i) => { this.poses.set([...prop.position, 0, 0, 0, 1], i * PROP_STRIDE) })
    this.snaps = new Uint8Array(props.length)
    this.buckets = new TokenBuckets(init.rate ?? { ratePerSecond: 100, burst: 200 })
  }

  /** Subscribes the topic; a member's physics starts following the host's poses. */
  start(): void {
    const pubsub = this.components.libp2p()?.services.pubsub
    if (pubsub == null || this.started) return
    this.started = true
    pubsub.topicValidators.set(this.topic, this.validate)
    pubsub.subscribe(this.topic)
    if (this.role() === 'member') this.components.physics()?.setPropMode('follow')
  }

  stop(): void {
    if (!this.started) return
    this.started = false
    const pubsub = this.components.libp2p()?.services.pubsub
    pubsub?.unsubscribe(this.topic)
    if (pubsub?.topicValidators.get(this.topic) === this.validate) pubsub.topicValidators.delete(this.topic)
    this.buckets.clear()
  }

  /**
   * Checks a message that `from` published and, if it is the host's, takes it in. Never throws.
   * Public so that the boundary can be tested byte by byte.
   */
  receive(from: string, bytes: Uint8Array): Verdict {
    if (!this.buckets.take(from)) return this.refuse('rate', from)
    if (from !== this.components.host() || this.role() === 'host') return this.refuse('notHost', from)
    const decoded = decodePropPoses(bytes, this.props.length)
    if (!decoded.ok) return this.refuse(decoded.reason, from)
    const { seq, batch } = decoded.message
    const last = this.lastSeq.get(from)
    if (last != null && seq <= last && last - seq < RESTART_GAP) {
      this.counts.stale++
      return 'ignore'
    }
    this.lastSeq.set(from, seq)
    this.counts.received++
    this.take(batch)
    this.components.physics()?.followProps(batch)
    return 'accept'
  }

  /** Publishes the host's poses (split into messages of at most MAX_PROPS_PER_MESSAGE props). */
  publish(batch: PropPoseBatch): void {
    const pubsub = this.components.libp2p()?.services.pubsub
    if (pubsub == null || !this.started || batch.indices.length === 0) return
    this.take(batch)
    for (const bytes of encodePropPoses(this.seq, batch)) {
      this.seq++
      this.counts.published++
      pubsub.publish(this.topic, bytes).catch(() => {
        // Nobody subscribed yet, or the node is stopping: the next tick sends poses again.
      })
    }
  }

  /** The latest pose of every prop (the definition's until the host sent one), PROP_STRIDE floats each, and teleport counters. */
  latest(): { poses: Float32Array<ArrayBuffer>; snaps: Uint8Array<ArrayBuffer> } {
    return { poses: this.poses.slice(), snaps: this.snaps.slice() }
  }

  status(): PropSyncStatus {
    return { role: this.role(), host: this.components.host(), ...this.counts, refused: { ...this.counts.refused } }
  }

  private role(): 'host' | 'member' {
    const self = this.components.libp2p()?.peerId.toString()
    return self != null && self === this.components.host() ? 'host' : 'member'
  }

  private take(batch: PropPoseBatch): void {
    batch.indices.forEach((index, i) => {
      this.poses.set(batch.poses.subarray(i * PROP_STRIDE, (i + 1) * PROP_STRIDE), index * PROP_STRIDE)
      this.snaps[index] = batch.snaps[i] as number
    })
  }

  /**
   * Counts a refusal. Garbage (size, layout, schema) is rejected and scored down; poses from a peer
   * that is not the host are only dropped: after a migration the old host may still send a few.
   */
  private refuse(reason: PropSyncRefusal, from: string): Verdict {
    this.counts.refused[reason]++
    if (reason === 'rate' || reason === 'notHost') return 'ignore'
    this.components.strike(from)
    return 'reject'
  }

  private readonly validate = (peer: PeerId, message: Message): TopicValidatorResult => {
    // Unsigned messages never get here (StrictSign), so `from` is the real author.
    if (message.type !== 'signed') return TopicValidatorResult.Reject
    const verdict = this.receive(message.from.toString(), message.data)
    // A relay that passed on someone else's bad message is not to blame for it.
    return verdict === 'reject' && !peer.equals(message.from) ? TopicValidatorResult.Ignore : VALIDATOR_RESULTS[verdict]
  }
}
