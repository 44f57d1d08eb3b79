import { describe, expect, it } from 'vitest'
import { SYNC_CHUNK_BYTES, SyncProtocolError, readSyncMessage, writeSyncMessage } from '../../../src/nodeKernel/state/syncMessages.js'
import type { FrameStream } from '../../../src/nodeKernel/state/syncMessages.js'

/** Frames written are read back in order (the length prefix is lpStream's job, not the codec's). */
function pipe(): FrameStream & { frames: Uint8Array[] } {
  const frames: Uint8Array[] = []
  return {
    frames,
    write: async (data) => { frames.push(data) },
    read: async () => {
      const next = frames.shift()
      if (next == null) throw new Error('end of stream')
      return { subarray: () => next }
    }
  }
}

describe('sync messages', () => {
  it('round-trips every message type', async () => {
    const p = pipe()
    const messages = [
      { type: 'request', world: 'overworld', version: new Uint8Array([1, 2, 3]) },
      { type: 'data', update: new Uint8Array([9, 8]) },
      { type: 'version', keeps: true, version: new Uint8Array([4]) },
      { type: 'push', world: 'my-world', update: new Uint8Array([7]) },
      { type: 'ack', status: 'known', reason: '' },
      { type: 'error', message: 'no such world' }
    ] as const
    for (const m of messages) await writeSyncMessage(p, m)
    for (const m of messages) expect(await readSyncMessage(p, 1024)).toEqual(m)
  })

  it('splits a large update into 64 KiB frames and joins them back', async () => {
    const p = pipe()
    const update = new Uint8Array(SYNC_CHUNK_BYTES * 2 + 100).map((_, i) => i % 251)
    await writeSyncMessage(p, { type: 'data', update })
    expect(p.frames.length).toBe(3)
    expect(Math.max(...p.frames.map((f) => f.byteLength))).toBe(SYNC_CHUNK_BYTES + 2)
    expect(await readSyncMessage(p, 1024 * 1024)).toEqual({ type: 'data', update })
  })

  it('refuses messages over the limit, unknown types and bad world ids', async () => {
    const p = pipe()
    await writeSyncMessage(p, { type: 'data', update: new Uint8Array(SYNC_CHUNK_BYTES * 3) })
    await expect(readSyncMessage(p, SYNC_CHUNK_BYTES)).rejects.toThrow(SyncProtocolError)
    const q = pipe()
    q.frames.push(new Uint8Array([42, 0, 1]))
    await expect(readSyncMessage(q, 1024)).rejects.toThrow(SyncProtocolError)
    q.frames.length = 0
    q.frames.push(new Uint8Array([1, 0, 5, ...new TextEncoder().encode('../..')]))
    await expect(readSyncMessage(q, 1024)).rejects.toThrow(/world id/)
  })
})
