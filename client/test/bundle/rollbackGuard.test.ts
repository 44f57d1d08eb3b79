import { describe, expect, it } from 'vitest'
import { BundleRollbackError } from '@peercompute/signing'
import { guardAgainstRollback } from '../../src/bundle/rollbackGuard.js'
import { indexedDbVersionMemory, inMemoryVersionMemory } from '../../src/bundle/versionMemory.js'

describe('guardAgainstRollback', () => {
  it('remembers the first version run and lets the same or a newer one through', async () => {
    const memory = inMemoryVersionMemory()
    await guardAgainstRollback(memory, { id: 'overworld', version: '1.0.0' })
    expect(await memory.lastRun('overworld')).toBe('1.0.0')
    await guardAgainstRollback(memory, { id: 'overworld', version: '1.0.0' }) // a reload
    await guardAgainstRollback(memory, { id: 'overworld', version: '1.2.0' })
    expect(await memory.lastRun('overworld')).toBe('1.2.0')
  })

  it('refuses an older version with BundleRollbackError and keeps the newer one remembered', async () => {
    const memory = inMemoryVersionMemory()
    await guardAgainstRollback(memory, { id: 'overworld', version: '2.0.0' })
    const refused = guardAgainstRollback(memory, { id: 'overworld', version: '1.9.9' })
    await expect(refused).rejects.toBeInstanceOf(BundleRollbackError)
    await expect(refused).rejects.toThrow(/version 1\.9\.9, older than version 2\.0\.0/)
    expect(await memory.lastRun('overworld')).toBe('2.0.0')
  })

  it('orders pre-releases below their release and keeps worlds apart', async () => {
    const memory = inMemoryVersionMemory()
    await guardAgainstRollback(memory, { id: 'meadow', version: '1.0.0' })
    await expect(guardAgainstRollback(memory, { id: 'meadow', version: '1.0.0-rc.1' })).rejects.toBeInstanceOf(BundleRollbackError)
    await guardAgainstRollback(memory, { id: 'garden', version: '0.1.0' })
    expect(await memory.lastRun('garden')).toBe('0.1.0')
    expect(await memory.lastRun('meadow')).toBe('1.0.0')
  })
})

describe('indexedDbVersionMemory', () => {
  it('lasts for the page where there is no IndexedDB (as in Node), still refusing rollbacks', async () => {
    const warnings: unknown[] = []
    const warn = console.warn
    console.warn = (...args: unknown[]) => void warnings.push(args)
    try {
      const memory = indexedDbVersionMemory(undefined)
      await guardAgainstRollback(memory, { id: 'overworld', version: '1.0.0' })
      await expect(guardAgainstRollback(memory, { id: 'overworld', version: '0.9.0' })).rejects.toBeInstanceOf(BundleRollbackError)
      expect(String((warnings[0] as unknown[])[0])).toMatch(/IndexedDB is unavailable/)
    } finally {
      console.warn = warn
    }
  })
})
