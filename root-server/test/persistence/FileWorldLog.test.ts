import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileWorldLog, LOG_FILE, SNAPSHOT_FILE } from '../../src/persistence/FileWorldLog.js'
import { filePersistence, WorldIdError } from '../../src/persistence/filePersistence.js'
import { decodeRecords, encodeRecord } from '../../src/persistence/logRecords.js'
import { tempDir } from '../fixtures.js'

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill)

describe('FileWorldLog', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir('pc-log-') })
  afterEach(async () => { await dir.cleanup() })

  it('appends records that survive a reopen, grouping concurrent appends into few fsyncs', async () => {
    const log = new FileWorldLog(dir.path)
    const updates = Array.from({ length: 200 }, (_, i) => bytes(10 + i, i))
    await Promise.all(updates.map((u) => log.append(u)))
    expect(log.counts.writes).toBeLessThan(10)
    await log.close()
    const again = new FileWorldLog(dir.path)
    expect(again.stored()).toEqual(updates)
    expect(again.loadReport()).toMatchObject({ tornBytes: 0, badSnapshot: false, logRecords: 200 })
    await again.close()
  })

  it('drops a torn tail (cut record, bad CRC) on load and keeps every whole record', async () => {
    const log = new FileWorldLog(dir.path)
    await log.append(bytes(50, 1))
    await log.append(bytes(60, 2))
    await log.close()
    const path = join(dir.path, LOG_FILE)
    const good = (await stat(path)).size
    // A crash in the middle of an append: a header promising 100 bytes, and 10 of them.
    await appendFile(path, encodeRecord(bytes(100, 3)).subarray(0, 18))
    const torn = new FileWorldLog(dir.path)
    expect(torn.stored()).toEqual([bytes(50, 1), bytes(60, 2)])
    expect(torn.loadReport().tornBytes).toBe(18)
    expect((await stat(path)).size).toBe(good)
    await torn.append(bytes(5, 4))
    await torn.close()
    // A flipped bit in the last record: its CRC fails, so it is dropped too.
    const file = await readFile(path)
    file[file.length - 1]! ^= 0x01
    await writeFile(path, file)
    const flipped = new FileWorldLog(dir.path)
    expect(flipped.stored()).toEqual([bytes(50, 1), bytes(60, 2)])
    await flipped.close()
    await truncate(path, 3)
    const headless = new FileWorldLog(dir.path)
    expect(headless.stored()).toEqual([])
    await headless.close()
  })

  it('compacts into a snapshot written atomically, then empties the log', async () => {
    const log = new FileWorldLog(dir.path, { records: 3 })
    for (let i = 0; i < 3; i++) await log.append(bytes(20, i))
    expect(log.wantsCompaction()).toBe(true)
    const pending = log.append(bytes(20, 7))
    await log.compact(() => bytes(30, 9))
    await pending
    await log.append(bytes(20, 8))
    expect(log.wantsCompaction()).toBe(false)
    await log.close()
    expect(decodeRecords(new Uint8Array(await readFile(join(dir.path, SNAPSHOT_FILE)))).records).toEqual([bytes(30, 9)])
    const again = new FileWorldLog(dir.path)
    expect(again.stored()).toEqual([bytes(30, 9), bytes(20, 8)])
    await again.close()
  })
})

describe('filePersistence', () => {
  it('opens one log per world, refuses ids that are not world ids, and knows which worlds it holds', async () => {
    const dir = await tempDir('pc-state-')
    try {
      const persistence = filePersistence({ dir: dir.path })
      expect(persistence.has('overworld')).toBe(false)
      const log = persistence.open('overworld')
      expect(persistence.open('overworld')).toBe(log)
      expect(persistence.has('overworld')).toBe(true)
      expect(() => persistence.open('../etc')).toThrow(WorldIdError)
      expect(persistence.has('../etc')).toBe(false)
      await persistence.close()
    } finally {
      await dir.cleanup()
    }
  })
})
