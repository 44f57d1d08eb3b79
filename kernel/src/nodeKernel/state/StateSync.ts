import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { VersionVector } from 'loro-crdt'
import { SYNC_CHUNK_BYTES, SyncProtocolError, readSyncMessage, writeSyncMessage } from './syncMessages.js'
import type { AckStatus, FrameStream, SyncMessage } from './syncMessages.js'
import type { KernelLibp2p } from '../../platform/Platform.js'
import type { Connection, Startable, Stream } from '@libp2p/interface'

/** The request/response protocol of state sync: version vectors out, missing updates back. */
export const STATE_SYNC_PROTOCOL = '/peercompute/state-sync/1.0.0'

export interface StateSyncInit {
  /** Longest a sync exchange or a push may take. @default 10_000 */
  timeoutMs?: number
  /** Largest history accepted in one sync reply. @default 64 MiB */
  maxSyncBytes?: number
  /** Largest push accepted (by a parent) in one message. @default 4 MiB */
  maxPushBytes?: number
  /**
   * Sync with the parent this often even when nothing seems missing: an update gossiped while
   * this node was outside the topic's mesh is otherwise only fetched when a later one depends on it.
   * @default 5_000
   */
  intervalMs?: number
}

/** A world this node can answer for. */
export interface SyncSource {
  version(): VersionVector
  /** What a peer at `theirs` lacks. */
  missing(theirs: VersionVector): Uint8Array
  /** Whether this node keeps the world (it persists it or hosts it): askers then push what it lacks. */
  keeps: boolean
}

/** What the sync protocol needs of the StateManager. */
export interface SyncHost {
  /** The world this node is in, to sync with its parent; null outside a world. */
  syncTarget(): { world: string; version: VersionVector; missing(theirs: VersionVector): Uint8Array } | null
  /** A world this node answers for, or null (asked by `from`, who may be rate-limited: null then too). */
  syncSource(world: string, from: string): SyncSource | null
  /** Imports history received from `from` (the parent) for `world`. */
  receiveSynced(from: string, world: string, update: Uint8Array): void
  /** Checks, applies and (where this node persists) stores a push; resolves when the answer is durable. */
  receivePush(from: string, world: string, update: Uint8Array): Promise<{ status: AckStatus; reason: string }>
  /** A peer broke the protocol: count it against the peer. */
  strike(from: string): void
}

export interface StateSyncComponents {
  libp2p(): KernelLibp2p | null
  host: SyncHost
  /** The peer to sync with and push to: the parent in the hierarchy (the root), or null. */
  parent(): string | null
}

/** Thrown by `push`/`sync` when the parent refuses or cannot be reached; the message says which. */
export class StateSyncError extends Error {
  override name = 'StateSyncError'
}

/** Counters of the sync protocol, for status and tests. */
export interface StateSyncStats { syncs: number; received: number; pushed: number; errors: number; served: number; lastError: string | null }

/**
 * The state-sync protocol on a libp2p node: answers requests and pushes for the worlds this node
 * holds, and syncs with (and pushes to) the parent. One stream per exchange.
 */
export class StateSync implements Startable {
  private started = false
  private shutdown = new AbortController()
  private running: Promise<void> | null = null
  private again = false
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly counts: StateSyncStats = { syncs: 0, received: 0, pushed: 0, errors: 0, served: 0, lastError: null }

  constructor(private readonly init: StateSyncInit, private readonly components: StateSyncComponents) {}

  isStarted(): boolean { return this.started }

  async start(): Promise<void> {
    const node = this.components.libp2p()
    if (node == null) throw new Error('Start the network before state sync.')
    this.shutdown = new AbortController()
    await node.handle(STATE_SYNC_PROTOCOL, this.onStream, { maxInboundStreams: 256, maxOutboundStreams: 256 })
    this.started = true
    if (this.components.parent() != null) this.timer = setInterval(() => { this.syncNow() }, this.init.intervalMs ?? 5_000)
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.timer != null) clearInterval(this.timer)
    this.timer = null
    this.shutdown.abort()
    await this.components.libp2p()?.unhandle(STATE_SYNC_PROTOCOL).catch(() => {})
    await this.running?.catch(() => {})
  }

  stats(): StateSyncStats { return { ...this.counts } }

  /** Syncs with the parent soon; calls while one runs fold into one more run. Never throws (errors are counted). */
  syncNow(): void {
    if (!this.started) return
    if (this.running != null) {
      this.again = true
      return
    }
    this.running = this.sync()
      .then(() => {}, (err: unknown) => {
        this.counts.errors++
        this.counts.lastError = err instanceof Error ? err.message : String(err)
      })
      .finally(() => {
        this.running = null
        if (this.again) {
          this.again = false
          this.syncNow()
        }
      })
  }

  /** One exchange with the parent: fetch what this node lacks, push what the parent lacks if it keeps the world. */
  async sync(): Promise<{ received: number; pushed: number }> {
    const target = this.components.host.syncTarget()
    const parent = this.components.parent()
    if (target == null || parent == null) return { received: 0, pushed: 0 }
    return this.exchange(parent, async (lp, options) => {
      await writeSyncMessage(lp, { type: 'request', world: target.world, version: target.version.encode() }, options)
      const data = expect(await readSyncMessage(lp, this.init.maxSyncBytes ?? 64 * 1024 * 1024, options), 'data')
      if (data.update.byteLength > 0) this.components.host.receiveSynced(parent, target.world, data.update)
      const version = expect(await readSyncMessage(lp, 1024 * 1024, options), 'version')
      let pushed = 0
      if (version.keeps) {
        const missing = target.missing(VersionVector.decode(version.version))
        if (missing.byteLength > 0) {
          await writeSyncMessage(lp, { type: 'push', world: target.world, update: missing }, options)
          expect(await readSyncMessage(lp, 64 * 1024, options), 'ack')
          pushed = missing.byteLength
        }
      }
      this.counts.syncs++
      this.counts.received += data.update.byteLength
      this.counts.pushed += pushed
      return { received: data.update.byteLength, pushed }
    })
  }

  /** Sends `update` of `world` to the parent and waits for its answer; throws StateSyncError if refused or unreachable. */
  async push(world: string, update: Uint8Array): Promise<AckStatus> {
    const parent = this.components.parent()
    if (parent == null) throw new StateSyncError('This node has no parent to keep its world; storage mode "propagate" needs a root (bootstrap).')
    const ack = await this.exchange(parent, async (lp, options) => {
      await writeSyncMessage(lp, { type: 'push', world, update }, options)
      return expect(await readSyncMessage(lp, 64 * 1024, options), 'ack')
    })
    if (ack.status === 'refused') throw new StateSyncError(`The parent refused the update (${ack.reason}).`)
    this.counts.pushed += update.byteLength
    return ack.status
  }

  private async exchange<T>(peer: string, talk: (lp: FrameStream, options: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    const node = this.components.libp2p()
    if (node == null || !this.started) throw new StateSyncError('State sync is stopped; start the node first.')
    const options = { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(this.init.timeoutMs ?? 10_000)]) }
    let stream: Stream
    try {
      stream = await node.dialProtocol(peerIdFromString(peer), STATE_SYNC_PROTOCOL, options)
    } catch (err) {
      throw new StateSyncError(`Could not reach the parent ${peer} for state sync (${err instanceof Error ? err.message : String(err)}).`)
    }
    try {
      const result = await talk(lpStream(stream, { maxDataLength: SYNC_CHUNK_BYTES + 2 }), options)
      await stream.close(options).catch(() => {})
      return result
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      if (err instanceof StateSyncError) throw err
      throw new StateSyncError(`State sync with ${peer} failed (${err instanceof Error ? err.message : String(err)}).`)
    }
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const from = connection.remotePeer.toString()
    const options = { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(this.init.timeoutMs ?? 10_000)]) }
    const lp = lpStream(stream, { maxDataLength: SYNC_CHUNK_BYTES + 2 })
    const host = this.components.host
    try {
      for (let first = true; ; first = false) {
        let message: SyncMessage
        try {
          message = await readSyncMessage(lp, this.init.maxPushBytes ?? 4 * 1024 * 1024, options)
        } catch (err) {
          if (!first && !(err instanceof SyncProtocolError)) break // the asker closed: done
          throw err
        }
        if (message.type === 'request') {
          const source = host.syncSource(message.world, from)
          if (source == null) {
            await writeSyncMessage(lp, { type: 'error', message: `no world ${message.world} here, or asking too often` }, options)
            break
          }
          let theirs: VersionVector
          try {
            theirs = VersionVector.decode(message.version)
          } catch {
            throw new SyncProtocolError('undecodable version vector')
          }
          await writeSyncMessage(lp, { type: 'data', update: source.missing(theirs) }, options)
          await writeSyncMessage(lp, { type: 'version', keeps: source.keeps, version: source.version().encode() }, options)
          this.counts.served++
        } else if (message.type === 'push') {
          const ack = await host.receivePush(from, message.world, message.update)
          await writeSyncMessage(lp, { type: 'ack', ...ack }, options)
        } else {
          throw new SyncProtocolError(`unexpected ${message.type} message`)
        }
      }
      await stream.close(options).catch(() => {})
    } catch (err) {
      if (err instanceof SyncProtocolError) host.strike(from)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}

function expect<T extends SyncMessage['type']>(message: SyncMessage, type: T): Extract<SyncMessage, { type: T }> {
  if (message.type === 'error') throw new StateSyncError(`The parent answered: ${message.message}.`)
  if (message.type !== type) throw new SyncProtocolError(`expected a ${type} message, got ${message.type}`)
  return message as Extract<SyncMessage, { type: T }>
}

/** Builds the state-sync protocol: `stateSync(init)(components)`. */
export function stateSync(init: StateSyncInit = {}) {
  return (components: StateSyncComponents): StateSync => new StateSync(init, components)
}
