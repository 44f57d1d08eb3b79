import { describe, expect, it } from 'vitest'
import { openStoredWorld, UnknownVersionError, worldHistory, worldStateAt } from '../../../src/nodeKernel/state/worldHistory.js'
import { WorldDoc } from '../../../src/nodeKernel/state/WorldDoc.js'

const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#ff8800', mass: 2 }

describe('worldHistory', () => {
  it('lists versions and reads the world at a past one without changing it', () => {
    const a = new WorldDoc()
    const first = a.placeProp({ prop: box, position: [1, 0, 0] }, 'a')
    a.moveProp(first.id, { position: [2, 0, 0] })
    const b = new WorldDoc()
    b.doc.import(a.doc.export({ mode: 'snapshot' }))
    b.appendChat({ author: 'b', name: 'Bea', time: 5, text: 'moved it?' })
    a.doc.import(b.doc.export({ mode: 'update', from: a.doc.oplogVersion() }))
    a.removeProp(first.id)

    const versions = worldHistory(a.doc)
    expect(versions.length).toBe(4)
    expect(versions.map((v) => v.lamport)).toEqual([...versions.map((v) => v.lamport)].sort((x, y) => x - y))
    expect(versions.every((v) => v.time > 0)).toBe(true)
    expect(versions.map((v) => v.intent)).toEqual(['placeProp', 'moveProp', 'chat', 'removeProp'])
    const atFirst = worldStateAt(a.doc, versions[0]!.version)
    expect(atFirst.entities.map((e) => e.transform?.position)).toEqual([[1, 0, 0]])
    expect(atFirst.chat).toEqual([])
    const beforeRemove = worldStateAt(a.doc, versions[2]!.version)
    expect(beforeRemove.entities.map((e) => e.transform?.position)).toEqual([[2, 0, 0]])
    expect(beforeRemove.chat.map((m) => m.text)).toEqual(['moved it?'])
    expect(a.entities()).toEqual([])
    expect(a.doc.isDetached()).toBe(false)
  })

  it('refuses malformed and unknown versions', () => {
    const a = new WorldDoc()
    a.placeProp({ prop: box, position: [1, 0, 0] }, 'a')
    expect(() => worldStateAt(a.doc, 'yesterday')).toThrow(UnknownVersionError)
    expect(() => worldStateAt(a.doc, '999@123')).toThrow(UnknownVersionError)
  })

  it('opens stored records (snapshot then updates) as a world', () => {
    const a = new WorldDoc()
    const p = a.placeProp({ prop: box, position: [1, 0, 0] }, 'a')
    const snapshot = a.doc.export({ mode: 'snapshot' })
    const update = a.moveProp(p.id, { position: [3, 0, 0] })
    const chat = a.appendChat({ author: 'a', name: 'A', time: 1, text: 'x' })
    const stored = openStoredWorld([snapshot, update, chat])
    expect(stored.stateAt().entities[0]?.transform?.position).toEqual([3, 0, 0])
    // Imported updates keep one version per intent (Loro would merge them without commit messages).
    expect(stored.history().map((v) => v.intent)).toEqual(['placeProp', 'moveProp', 'chat'])
    stored.free()
  })
})
