import { TypedEventEmitter } from '@libp2p/interface'
import { DEFAULT_BASIS_RULES } from '@peercompute/world-sdk'
import { LoroDoc } from 'loro-crdt'
import { describe, expect, it } from 'vitest'
import { encodeStateMessage } from '../../../src/nodeKernel/state/stateMessages.js'
import { stateManager } from '../../../src/nodeKernel/state/StateManager.js'
import { WorldDoc } from '../../../src/nodeKernel/state/WorldDoc.js'
import { WorldReplica } from '../../../src/nodeKernel/state/WorldReplica.js'
import type { KernelEvents } from '../../../src/nodeKernel/KernelEvents.js'
import { CONTAINER_IDS } from '../../../src/nodeKernel/state/worldSchema.js'
import type { UpdateOrigin } from '../../../src/nodeKernel/state/updateRules.js'
import type { JsonOp } from 'loro-crdt'

const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#ff8800', mass: 2 }
const live: UpdateOrigin = { kind: 'live', channel: 'state', author: 'peer-a', authority: false }

/**
 * An update on top of `base` with operations Loro's API would not make (peer 77), written as
 * JSON and encoded by a detached document, which takes history without applying it.
 */
function forge(base: LoroDoc, ops: Array<Omit<JsonOp, 'counter'>>): Uint8Array {
  const forger = new LoroDoc()
  forger.detach()
  forger.import(base.export({ mode: 'update' }))
  const deps = base.frontiers().map(({ peer, counter }) => `${counter}@${peer}` as const)
  forger.importJsonUpdates({
    schema_version: 1,
    start_version: new Map(),
    peers: null,
    changes: [{ id: '0@77', timestamp: 0, deps, lamport: 1000, msg: null, ops: ops.map((op, i) => ({ ...op, counter: i }) as JsonOp) }]
  })
  return forger.export({ mode: 'update', from: base.oplogVersion() })
}

/** A replica and an author whose first prop the replica already holds. */
function setup() {
  const author = new WorldDoc()
  const replica = new WorldReplica('overworld', null)
  const first = author.placeProp({ prop: box, position: [1, 0, 0] }, 'peer-a')
  expect(replica.receive(first.update, live, 280)).toMatchObject({ ok: true, replay: false })
  const untouched = () => ({ version: replica.version().toJSON(), json: replica.world().doc.toJSON() as unknown })
  return { author, replica, first, untouched }
}

describe('WorldReplica: bad input never touches the document', () => {
  it('refuses corrupted and truncated updates', () => {
    const { author, replica, first, untouched } = setup()
    const before = untouched()
    const update = author.moveProp(first.id, { position: [9, 9, 9] })
    const corrupted = update.slice()
    corrupted[Math.floor(corrupted.length / 2)]! ^= 0xff
    expect(replica.receive(corrupted, live, 280)).toEqual({ ok: false, reason: 'decode' })
    expect(replica.receive(update.slice(0, update.length - 7), live, 280)).toEqual({ ok: false, reason: 'decode' })
    expect(replica.receive(new Uint8Array([1, 2, 3]), live, 280)).toEqual({ ok: false, reason: 'decode' })
    expect(untouched()).toEqual(before)
    // The guard recovers: the real update still goes in.
    expect(replica.receive(update, live, 280)).toMatchObject({ ok: true, replay: false })
    expect(replica.world().entity(first.id)?.transform?.position).toEqual([9, 9, 9])
  })

  it('counts a replay (all operations known) as such, and does not apply it again', () => {
    const { replica, first, untouched } = setup()
    const before = untouched()
    expect(replica.receive(first.update, live, 280)).toMatchObject({ ok: true, replay: true })
    expect(untouched()).toEqual(before)
  })

  it('refuses operations outside the schema, invalid components and spoofed settings', () => {
    const { author, replica, first, untouched } = setup()
    const before = untouched()
    const rogue = new LoroDoc()
    rogue.import(author.doc.export({ mode: 'snapshot' }))
    rogue.getMap('admin').set('owner', 'mallory')
    rogue.commit()
    expect(replica.receive(rogue.export({ mode: 'update', from: replica.version() }), live, 280)).toEqual({ ok: false, reason: 'shape' })
    const bad = new LoroDoc()
    bad.import(author.doc.export({ mode: 'snapshot' }))
    bad.getTree('scene').getNodeByID(first.id as `${number}@${number}`)!.data.set('transform', { position: 'up' })
    bad.commit()
    expect(replica.receive(bad.export({ mode: 'update', from: replica.version() }), live, 280)).toEqual({ ok: false, reason: 'shape' })
    const settings = author.setSetting('title', 'Mine now')
    expect(replica.receive(settings, live, 280)).toEqual({ ok: false, reason: 'spoofed' })
    expect(replica.receive(settings, { ...live, channel: 'chat' }, 280)).toEqual({ ok: false, reason: 'shape' })
    expect(untouched()).toEqual(before)
    expect(replica.receive(settings, { kind: 'relayed', authority: true }, 280)).toMatchObject({ ok: true })
    expect(replica.world().settings()).toEqual({ title: 'Mine now' })
  })

  it('refuses tree operations that name a node nobody created, and takes those that name known or new nodes', () => {
    const { author, replica, first, untouched } = setup()
    const before = untouched()
    const ghost = '5@77'
    const move = (target: string, parent: string | null) => ({ container: CONTAINER_IDS.scene, content: { type: 'move' as const, target, parent, fractional_index: '80' } })
    // A node moved under a parent nobody created shows at the top on a node that imports the
    // update alone, and nowhere on one that loads the history at once: the world would diverge.
    expect(replica.receive(forge(author.doc, [move(first.id, ghost)]), live, 280)).toEqual({ ok: false, reason: 'shape' })
    expect(replica.receive(forge(author.doc, [move(ghost, null)]), live, 280)).toEqual({ ok: false, reason: 'shape' })
    expect(replica.receive(forge(author.doc, [{ container: CONTAINER_IDS.scene, content: { type: 'delete', target: ghost } }]), live, 280)).toEqual({ ok: false, reason: 'shape' })
    // Moving a ghost conjures it up in the update's own state; its data map is still not an entity's.
    const transform = { position: [0, 0, 0], rotation: [0, 0, 0, 1], scale: [1, 1, 1] }
    const conjured = forge(author.doc, [move(ghost, null), { container: `cid:${ghost}:Map`, content: { type: 'insert', key: 'transform', value: transform } }])
    expect(replica.receive(conjured, live, 280)).toEqual({ ok: false, reason: 'shape' })
    expect(untouched()).toEqual(before)
    // A child placed under a parent placed in the same update, then moved under a known node.
    const from = author.doc.oplogVersion()
    const parent = author.placeProp({ prop: box, position: [0, 0, 0] }, 'peer-a')
    const child = author.placeProp({ prop: box, position: [0, 1, 0], parent: parent.id }, 'peer-a')
    expect(replica.receive(author.doc.export({ mode: 'update', from }), live, 280)).toMatchObject({ ok: true, replay: false })
    expect(replica.receive(author.reparent(child.id, first.id), live, 280)).toMatchObject({ ok: true, replay: false })
    expect(replica.world().entity(child.id)?.parent).toBe(first.id)
  })

  it("takes entity data holding nulls (a scoreboard with no scorer yet), which Loro's JSON export reads as undefined", () => {
    const { author, replica, first } = setup()
    const update = author.setEntityData(first.id, { text: 'Goals: 0', goals: 0, last: null, scorers: [null, 'Ada'] })
    expect(replica.receive(update, live, 280)).toMatchObject({ ok: true, replay: false })
    expect(replica.world().entity(first.id)?.data).toEqual({ text: 'Goals: 0', goals: 0, last: null, scorers: [null, 'Ada'] })
  })

  it('checks an update against the accepted ones before it, taken by the document or not yet', () => {
    const author = new WorldDoc()
    const replica = new WorldReplica('overworld', null)
    // No read in between: the document takes these in groups (of 256), and the rest at the read below.
    const placed = Array.from({ length: 300 }, (_, i) => author.placeProp({ prop: box, position: [i, 0, 0] }, 'peer-a'))
    for (const { update } of placed) expect(replica.receive(update, live, 280)).toMatchObject({ ok: true, replay: false })
    for (const [i, { id }] of placed.entries()) {
      if (i % 10 === 7) expect(replica.receive(author.moveProp(id, { position: [i, 1, 0] }), live, 280)).toMatchObject({ ok: true, replay: false })
    }
    expect(replica.receive(author.reparent(placed[299]!.id, placed[298]!.id), live, 280)).toMatchObject({ ok: true, replay: false })
    expect(replica.world().doc.toJSON()).toEqual(author.doc.toJSON())
    expect(replica.world().entity(placed[7]!.id)?.transform?.position).toEqual([7, 1, 0])
  })

  it('refuses an update built on history it lacks (pending) and takes it once the history arrives', () => {
    const { author, replica, first, untouched } = setup()
    const before = untouched()
    const gap = author.moveProp(first.id, { position: [2, 0, 0] })
    const next = author.moveProp(first.id, { position: [3, 0, 0] })
    expect(replica.receive(next, live, 280)).toEqual({ ok: false, reason: 'pending' })
    expect(untouched()).toEqual(before)
    // The gap applies, and with it the update that waited for it.
    expect(replica.receive(gap, live, 280)).toMatchObject({ ok: true, replay: false })
    expect(replica.world().entity(first.id)?.transform?.position).toEqual([3, 0, 0])
    expect(replica.receive(next, live, 280)).toMatchObject({ ok: true, replay: true })
  })
})

describe('StateManager: bad input at the boundary', () => {
  function manager() {
    const disconnected: string[] = []
    const m = stateManager({ rejectAfter: 5 })({ events: new TypedEventEmitter<KernelEvents>(), publish: () => {}, disconnect: (id) => { disconnected.push(id) } })
    m.start()
    m.enterWorld({ id: 'overworld', name: 'Overworld', rules: DEFAULT_BASIS_RULES }, { peerId: 'me', name: 'me' })
    return { m, disconnected }
  }

  it('refuses oversized updates, counts replays apart from drops, and disconnects a sender past the threshold', async () => {
    const { m, disconnected } = manager()
    const author = new WorldDoc()
    const { update } = author.placeProp({ prop: box, position: [0, 0, 0] }, 'peer-a')
    expect(m.receive('state', 'peer-a', encodeStateMessage({ kind: 'update', update }))).toBe('accept')
    expect(m.receive('state', 'peer-a', encodeStateMessage({ kind: 'update', update }))).toBe('accept')
    expect(m.stats()).toMatchObject({ applied: 1, replays: 1 })
    expect(m.receive('state', 'peer-b', new Uint8Array(64 * 1024 + 10))).toBe('reject')
    expect(m.stats().refused.size).toBe(1)
    for (let i = 0; i < 4; i++) expect(m.receive('state', 'peer-b', encodeStateMessage({ kind: 'update', update: new Uint8Array([i, 1, 2]) }))).toBe('reject')
    expect(disconnected).toEqual(['peer-b'])
    expect(m.dropped().state).toBe(5)
    expect(m.world()?.entities()).toHaveLength(1)
    await m.stop()
  })
})
