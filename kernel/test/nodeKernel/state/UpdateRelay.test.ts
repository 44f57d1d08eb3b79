import { describe, expect, it } from 'vitest'
import { UpdateRelay } from '../../../src/nodeKernel/state/UpdateRelay.js'
import { WorldDoc } from '../../../src/nodeKernel/state/WorldDoc.js'
import { WorldReplica } from '../../../src/nodeKernel/state/WorldReplica.js'
import type { UpdateOrigin } from '../../../src/nodeKernel/state/updateRules.js'
import type { IdSpan } from 'loro-crdt'

const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#ff8800', mass: 2 }
const relayed: UpdateOrigin = { kind: 'relayed', authority: true }
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 5))

/** A host replica that took `count` props from a child, one update each, and the spans they added. */
function hostWithProps(count: number) {
  const child = new WorldDoc()
  const host = new WorldReplica('overworld', null)
  const spans: IdSpan[] = []
  for (let i = 0; i < count; i++) {
    const result = host.receive(child.placeProp({ prop: box, position: [i, 0, 0], name: `prop-${i}` }, 'child').update, relayed, 280)
    if (!result.ok) throw new Error(`the host refused prop ${i}: ${result.reason}`)
    spans.push(...result.spans)
  }
  return { host, spans }
}

describe('UpdateRelay', () => {
  it('passes on what was accepted in one turn as one message that brings a member to the same state', async () => {
    const { host, spans } = hostWithProps(20)
    const sent: Uint8Array[] = []
    const relay = new UpdateRelay((update) => { sent.push(update) }, 64 * 1024)
    for (const span of spans) relay.add(host, [span])
    expect(sent).toHaveLength(0)
    await nextTurn()
    expect(sent).toHaveLength(1)
    const member = new WorldReplica('overworld', null)
    expect(member.receive(sent[0]!, relayed, 280)).toMatchObject({ ok: true, replay: false })
    expect(member.version().toJSON()).toEqual(host.version().toJSON())
    expect(member.world().entities().map((e) => e.name).sort()).toEqual(host.world().entities().map((e) => e.name).sort())
  })

  it('splits what does not fit in one message, and leaves an update too large for any to state sync', async () => {
    const { host, spans } = hostWithProps(8)
    const one = host.exportSpans([spans[0]!]).byteLength
    const sent: Uint8Array[] = []
    new UpdateRelay((update) => { sent.push(update) }, one * 3).add(host, spans)
    await nextTurn()
    expect(sent.length).toBeGreaterThan(1)
    expect(sent.every((update) => update.byteLength < one * 3)).toBe(true)
    const member = new WorldReplica('overworld', null)
    for (const update of sent) expect(member.receive(update, relayed, 280)).toMatchObject({ ok: true })
    expect(member.version().toJSON()).toEqual(host.version().toJSON())
    const tooSmall: Uint8Array[] = []
    new UpdateRelay((update) => { tooSmall.push(update) }, one - 1).add(host, spans)
    await nextTurn()
    expect(tooSmall).toEqual([])
  })

  it('sends nothing once cleared (the node left the world)', async () => {
    const { host, spans } = hostWithProps(2)
    const sent: Uint8Array[] = []
    const relay = new UpdateRelay((update) => { sent.push(update) }, 64 * 1024)
    relay.add(host, spans)
    relay.clear()
    await nextTurn()
    expect(sent).toEqual([])
  })
})
