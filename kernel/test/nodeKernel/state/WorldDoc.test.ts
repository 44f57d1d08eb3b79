import { describe, expect, it } from 'vitest'
import { InvalidComponentError, UnknownEntityError, WorldDoc } from '../../../src/nodeKernel/state/WorldDoc.js'

const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#ff8800', mass: 2 }

describe('WorldDoc', () => {
  it('keeps entities in a scene tree with components in each node map', () => {
    const world = new WorldDoc()
    const table = world.placeProp({ prop: box, position: [1, 0, 2], name: 'table' }, 'peer-a')
    const cup = world.placeProp({ prop: { ...box, shape: 'sphere' }, position: [1, 1, 2], parent: table.id }, 'peer-a')
    expect(table.update.byteLength).toBeGreaterThan(0)
    expect(world.entity(table.id)).toMatchObject({ id: table.id, parent: null, name: 'table', owner: 'peer-a', prop: box })
    expect(world.entity(table.id)?.transform).toEqual({ position: [1, 0, 2], rotation: [0, 0, 0, 1], scale: [1, 1, 1] })
    expect(world.children(table.id).map((e) => e.id)).toEqual([cup.id])
    expect(world.children(null).map((e) => e.id)).toEqual([table.id])
    world.moveProp(cup.id, { position: [5, 5, 5] })
    expect(world.entity(cup.id)?.transform?.position).toEqual([5, 5, 5])
    world.reparent(cup.id, null)
    expect(world.entity(cup.id)?.parent).toBeNull()
    world.removeProp(table.id)
    expect(world.entity(table.id)).toBeNull()
    expect(world.entities().map((e) => e.id)).toEqual([cup.id])
  })

  it('refuses invalid components and unknown entities with errors that say what to fix', () => {
    const world = new WorldDoc()
    expect(() => world.placeProp({ prop: { ...box, color: 'red' }, position: [0, 0, 0] }, 'p')).toThrow(InvalidComponentError)
    expect(() => world.placeProp({ prop: box, position: [Number.NaN, 0, 0] }, 'p')).toThrow(InvalidComponentError)
    expect(() => world.moveProp('99@1', { position: [0, 0, 0] })).toThrow(UnknownEntityError)
    expect(() => world.removeProp('not-an-id')).toThrow(UnknownEntityError)
    expect(world.entities()).toEqual([])
  })

  it('keeps chat lines and settings in the same document', () => {
    const world = new WorldDoc()
    world.appendChat({ author: 'p', name: 'Pat', time: 1, text: 'hi' })
    world.setSetting('title', 'My world')
    expect(world.chatMessages()).toEqual([{ author: 'p', name: 'Pat', time: 1, text: 'hi' }])
    expect(world.settings()).toEqual({ title: 'My world' })
    expect(() => world.setSetting('storageMode', 'nowhere' as 'local')).toThrow(InvalidComponentError)
  })
})
