import { closeSync, fdatasync, fsyncSync, ftruncate, ftruncateSync, mkdirSync, openSync, readFileSync, write } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { WorldLog } from '@peercompute/kernel'
import { decodeRecords, encodeRecord, encodeRecords } from './logRecords.js'

const writeAsync = promisify(write)
const fdatasyncAsync = promisify(fdatasync)
const ftruncateAsync = promisify(ftruncate)

/** File names inside a world's folder (see README.md, "Data folder"). */
export const LOG_FILE = 'log'
export const SNAPSHOT_FILE = 'snapshot'
const SNAPSHOT_TEMP = 'snapshot.tmp'

/** When a log asks for compaction. */
export interface CompactionPolicy {
  /** Records in the log since the last snapshot. @default 5000 */
  records?: number
  /** Bytes in the log since the last snapshot. @default 8 MiB */
  bytes?: number
}

/** What loading a world's folder found. */
export interface StoredRecords {
  /** The snapshot (if any), then each logged update. */
  stored: Uint8Array[]
  /** Records in the log file, and their bytes (headers included). */
  logRecords: number
  logBytes: number
  /** Bytes of a torn or corrupt log tail that were dropped (or, read-only, ignored). */
  tornBytes: number
  /** Whether a snapshot file existed but failed its CRC (it is then ignored). */
  badSnapshot: boolean
}

/** Reads a world's folder; with `repair`, cuts a torn log tail off the file (fsynced). */
export function readWorldFolder(dir: string, repair: boolean): StoredRecords {
  const snapshotBytes = readOrEmpty(join(dir, SNAPSHOT_FILE))
  const snapshot = decodeRecords(snapshotBytes)
  const badSnapshot = snapshotBytes.byteLength > 0 && (snapshot.records.length !== 1 || snapshot.validBytes !== snapshotBytes.byteLength)
  const logPath = join(dir, LOG_FILE)
  const logBytes = readOrEmpty(logPath)
  const log = decodeRecords(logBytes)
  const tornBytes = logBytes.byteLength - log.validBytes
  if (repair && tornBytes > 0) {
    const fd = openSync(logPath, 'r+')
    try {
      ftruncateSync(fd, log.validBytes)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }
  return { stored: [...(badSnapshot ? [] : snapshot.records), ...log.records], logRecords: log.records.length, logBytes: log.validBytes, tornBytes, badSnapshot }
}

/**
 * One world's append-only log on disk. Appends are grouped (group commit): while one write +
 * fdatasync runs, new appends wait and go together, framed into one buffer, in the next write,
 * so many concurrent updates cost one write and one fsync. An append resolves only after its
 * bytes are fsynced. Writes, snapshots and truncation run one at a time, in order.
 */
export class FileWorldLog implements WorldLog {
  private readonly fd: number
  private readonly loaded: StoredRecords
  private chain: Promise<void> = Promise.resolve()
  private batch: Array<{ update: Uint8Array; resolve: () => void; reject: (err: unknown) => void }> = []
  private batchQueued = false
  private records: number
  private bytes: number
  private closed = false
  /** Counters for tests and metrics. */
  readonly counts = { appends: 0, writes: 0, compactions: 0 }

  constructor(private readonly dir: string, private readonly policy: CompactionPolicy = {}) {
    mkdirSync(dir, { recursive: true })
    this.loaded = readWorldFolder(dir, true)
    this.fd = openSync(join(dir, LOG_FILE), 'a')
    this.records = this.loaded.logRecords
    this.bytes = this.loaded.logBytes
  }

  /** What loading found (torn tail dropped, bad snapshot). */
  loadReport(): Omit<StoredRecords, 'stored'> {
    const { stored: _stored, ...report } = this.loaded
    return report
  }

  stored(): Uint8Array[] { return this.loaded.stored }

  append(update: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The world log is closed; the root is stopping.'))
    const promise = new Promise<void>((resolve, reject) => { this.batch.push({ update, resolve, reject }) })
    this.counts.appends++
    if (!this.batchQueued) {
      this.batchQueued = true
      this.chain = this.chain.then(() => this.writeBatch())
    }
    return promise
  }

  flushed(): Promise<void> { return this.chain }

  wantsCompaction(): boolean {
    return this.records >= (this.policy.records ?? 5000) || this.bytes >= (this.policy.bytes ?? 8 * 1024 * 1024)
  }

  compact(snapshot: () => Uint8Array): Promise<void> {
    const done = this.chain.then(() => this.writeSnapshot(snapshot))
    this.chain = done.catch(() => {})
    return done
  }

  /** Waits for pending writes, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.chain
    closeSync(this.fd)
  }

  private async writeBatch(): Promise<void> {
    const batch = this.batch
    this.batch = []
    this.batchQueued = false
    if (batch.length === 0) return
    try {
      const records = encodeRecords(batch.map((b) => b.update))
      for (let done = 0; done < records.byteLength;) done += (await writeAsync(this.fd, records, done, records.byteLength - done, null)).bytesWritten
      await fdatasyncAsync(this.fd)
      this.counts.writes++
      this.records += batch.length
      this.bytes += records.byteLength
      for (const b of batch) b.resolve()
    } catch (err) {
      for (const b of batch) b.reject(err)
    }
  }

  /** Snapshot to a temp file, fsync, rename over the old one, fsync the folder, then empty the log. */
  private async writeSnapshot(snapshot: () => Uint8Array): Promise<void> {
    const record = encodeRecord(snapshot())
    const temp = join(this.dir, SNAPSHOT_TEMP)
    const file = await open(temp, 'w')
    try {
      await file.write(record)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temp, join(this.dir, SNAPSHOT_FILE))
    const folder = await open(this.dir, 'r')
    try {
      await folder.sync()
    } finally {
      await folder.close()
    }
    // A crash before this line leaves the old records in the log too: loading replays them, which Loro ignores.
    await ftruncateAsync(this.fd, 0)
    await fdatasyncAsync(this.fd)
    this.records = 0
    this.bytes = 0
    this.counts.compactions++
  }
}

function readOrEmpty(path: string): Uint8Array {
  try {
    const buffer = readFileSync(path)
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0)
    throw err
  }
}
