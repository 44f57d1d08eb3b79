import { LoroDoc } from 'loro-crdt'
import { describe, expect, it } from 'vitest'
import { UpdateGuard } from '../../../src/nodeKernel/state/UpdateGuard.js'
import type { JsonChange, JsonOp } from 'loro-crdt'

const accept = (changes: JsonChange[]) => ({ ok: true as const, value: changes })

/** A document with one chat line (peer 1), and a way to forge a change on top of it as peer 2. */
function setup() {
  const author = new LoroDoc()
  author.setPeerId(1n)
  author.getList('chat').push({ line: 1 })
  author.commit()
  const doc = new LoroDoc()
  doc.import(author.export({ mode: 'update' }))
  // Updates that Loro's own API refuses to make, written as JSON and encoded by a detached
  // document (which takes history without applying it to its state).
  const forge = (ops: Array<Omit<JsonOp, 'counter'>>): Uint8Array => {
    const forger = new LoroDoc()
    forger.detach()
    forger.import(author.export({ mode: 'update' }))
    forger.importJsonUpdates({
      schema_version: 1,
      start_version: new Map(),
      peers: null,
      changes: [{ id: '0@2', timestamp: 0, deps: ['0@1'], lamport: 1, msg: null, ops: ops.map((op, i) => ({ ...op, counter: i }) as JsonOp) }]
    })
    return forger.export({ mode: 'update', from: author.oplogVersion() })
  }
  const untouched = () => ({ version: doc.oplogVersion().toJSON(), json: doc.toJSON() as unknown })
  return { author, doc, forge, untouched, guard: new UpdateGuard(doc) }
}

describe('UpdateGuard', () => {
  it('checks exactly the operations an update adds, reports their spans, and the document takes it at the next commit', () => {
    const { author, doc, guard } = setup()
    const before = author.oplogVersion()
    author.getList('chat').push({ line: 2 })
    author.getList('chat').push({ line: 3 })
    author.commit()
    const update = author.export({ mode: 'update', from: before })
    let seen: JsonChange[] = []
    const result = guard.apply(update, (changes) => {
      seen = changes
      // The check runs before the document takes the update.
      expect(doc.getList('chat').length).toBe(1)
      return accept(changes)
    })
    expect(result).toMatchObject({ ok: true, replay: false, spans: [{ peer: '1', counter: 1, length: 2 }] })
    expect(seen.flatMap((c) => c.ops.map((op) => op.content))).toEqual([{ type: 'insert', pos: 1, value: [{ line: 2 }, { line: 3 }] }])
    expect(guard.lags()).toBe(true)
    guard.commit()
    expect(guard.lags()).toBe(false)
    expect(doc.getList('chat').toJSON()).toEqual([{ line: 1 }, { line: 2 }, { line: 3 }])
    // The same update again adds nothing: a replay, not checked.
    expect(guard.apply(update, () => { throw new Error('a replay is not checked') })).toEqual({ ok: true, replay: true })
  })

  it('refuses an update the check refuses, and leaves the document as it was', () => {
    const { author, guard, untouched } = setup()
    const before = untouched()
    const from = author.oplogVersion()
    author.getList('chat').push({ line: 2 })
    author.commit()
    const update = author.export({ mode: 'update', from })
    expect(guard.apply(update, () => ({ ok: false, reason: 'shape' }))).toEqual({ ok: false, reason: 'shape' })
    expect(untouched()).toEqual(before)
    // The shadow the refused update dirtied is replaced: the update still goes in once allowed.
    expect(guard.apply(update, accept)).toMatchObject({ ok: true, replay: false })
  })

  it('gives the document what it accepted, and nothing of what it refused after, when a refusal drops the shadow', () => {
    const { author, doc, forge, guard } = setup()
    const lines = (from: number, to: number) => {
      const before = author.oplogVersion()
      for (let i = from; i <= to; i++) author.getList('chat').push({ line: i })
      author.commit()
      return author.export({ mode: 'update', from: before })
    }
    expect(guard.apply(lines(2, 3), accept)).toMatchObject({ ok: true })
    expect(guard.apply(lines(4, 4), accept)).toMatchObject({ ok: true })
    expect(doc.getList('chat').length).toBe(1)
    const bad = forge([{ container: 'cid:root-chat:List', content: { type: 'insert', pos: 50, value: [{ line: 9 }] } }])
    expect(guard.apply(bad, accept)).toEqual({ ok: false, reason: 'decode' })
    expect(guard.lags()).toBe(false)
    expect(doc.getList('chat').toJSON()).toEqual([{ line: 1 }, { line: 2 }, { line: 3 }, { line: 4 }])
    expect(doc.oplogVersion().toJSON()).toEqual(author.oplogVersion().toJSON())
  })

  it('refuses an update that decodes but breaks the document state, without touching the document', () => {
    const { forge, guard, untouched } = setup()
    const before = untouched()
    // A list insert far past the end of a one-line list: Loro throws while applying it to the state.
    const update = forge([{ container: 'cid:root-chat:List', content: { type: 'insert', pos: 50, value: [{ line: 9 }] } }])
    expect(guard.apply(update, accept)).toEqual({ ok: false, reason: 'decode' })
    expect(untouched()).toEqual(before)
    const fine = forge([{ container: 'cid:root-chat:List', content: { type: 'insert', pos: 1, value: [{ line: 2 }] } }])
    expect(guard.apply(fine, accept)).toMatchObject({ ok: true, replay: false, spans: [{ peer: '2', counter: 0, length: 1 }] })
  })

  it('refuses an update built on history the document lacks, and keeps it out of the document', () => {
    const { author, doc, guard, untouched } = setup()
    const before = untouched()
    const v1 = author.oplogVersion()
    author.getList('chat').push({ line: 2 })
    author.commit()
    const v2 = author.oplogVersion()
    author.getList('chat').push({ line: 3 })
    author.commit()
    expect(guard.apply(author.export({ mode: 'update', from: v2 }), accept)).toEqual({ ok: false, reason: 'pending' })
    expect(untouched()).toEqual(before)
    expect(guard.apply(author.export({ mode: 'update', from: v1 }), accept)).toMatchObject({ ok: true, replay: false })
    guard.commit()
    expect(doc.getList('chat').length).toBe(3)
  })
})
