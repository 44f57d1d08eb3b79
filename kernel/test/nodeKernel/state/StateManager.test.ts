import { TypedEventEmitter } from '@libp2p/interface'
import { DEFAULT_BASIS_RULES } from '@peercompute/world-sdk'
import { LoroDoc } from 'loro-crdt'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatRejectedError } from '../../../src/nodeKernel/state/ChatLog.js'
import { stateManager } from '../../../src/nodeKernel/state/StateManager.js'
import type { KernelEvents } from '../../../src/nodeKernel/KernelEvents.js'
import type { StateManager, StateManagerInit } from '../../../src/nodeKernel/state/StateManager.js'
import type { WorldChannel } from '../../../src/nodeKernel/worldTopics.js'

const world = { id: 'overworld', name: 'Overworld', rules: DEFAULT_BASIS_RULES }

/** Two state managers wired back to back: what one publishes, the other receives as from its peerId. */
function pair(init: StateManagerInit = {}) {
  const managers: StateManager[] = []
  const disconnected: string[] = []
  const make = (peerId: string, other: () => { m: StateManager; id: string }) => {
    const m = stateManager({ disconnectAfter: 10, ...init })({
      events: new TypedEventEmitter<KernelEvents>(),
      publish: (channel: WorldChannel, bytes: Uint8Array) => { other().m.receive(channel, peerId, bytes) },
      disconnect: (id) => { disconnected.push(id) }
    })
    m.start()
    m.enterWorld(world, { peerId, name: peerId })
    managers.push(m)
    return m
  }
  const a: StateManager = make('peer-a', () => ({ m: b, id: 'peer-b' }))
  const b: StateManager = make('peer-b', () => ({ m: a, id: 'peer-a' }))
  return { a, b, disconnected, stopAll: () => { for (const m of managers) m.stop() } }
}

describe('StateManager', () => {
  let stopAll = () => {}
  afterEach(() => { stopAll() })

  it('merges presence under the sender key and lists self and remote players', () => {
    const p = pair()
    stopAll = p.stopAll
    const bytes = p.a.setSelfPose({ position: [1, 2, 3], yaw: 0.2, velocity: [0, 0, 1] })!
    expect(p.b.receive('presence', 'peer-a', bytes)).toBe('accept')
    const remote = p.b.presence.players().find((x) => x.peerId === 'peer-a')!
    expect(remote).toMatchObject({ name: 'peer-a', position: [1, 2, 3], yaw: 0.2, velocity: [0, 0, 1], self: false })
    expect(p.a.presence.players()).toEqual([expect.objectContaining({ peerId: 'peer-a', self: true })])
  })

  it('drops presence whose key is not the sender, oversized or undecodable, and counts it', () => {
    const p = pair()
    stopAll = p.stopAll
    const bytes = p.a.setSelfPose({ position: [1, 2, 3], yaw: 0, velocity: [0, 0, 0] })!
    expect(p.b.receive('presence', 'peer-c', bytes)).toBe('reject')
    expect(p.b.receive('presence', 'peer-a', new Uint8Array(4097))).toBe('reject')
    expect(p.b.receive('presence', 'peer-a', new Uint8Array([9, 9, 9]))).toBe('reject')
    expect(p.b.dropped()).toEqual({ presence: 3, state: 0, chat: 0 })
    expect(p.b.presence.players()).toEqual([])
  })

  it('rate-limits presence per peer and asks to disconnect a flooder', () => {
    // A refill too slow to matter during the loop, however slow the machine: exactly the burst passes.
    const p = pair({ presenceRate: { ratePerSecond: 0.001, burst: 120 } })
    stopAll = p.stopAll
    const bytes = p.a.setSelfPose({ position: [0, 0, 0], yaw: 0, velocity: [0, 0, 0] })!
    const verdicts = Array.from({ length: 140 }, () => p.b.receive('presence', 'peer-a', bytes))
    expect(verdicts.filter((v) => v === 'accept').length).toBe(120)
    expect(p.disconnected).toContain('peer-a')
  })

  it('syncs chat both ways and enforces the chat rules', () => {
    const p = pair()
    stopAll = p.stopAll
    p.a.chat.send('hi')
    p.b.chat.send('hello')
    expect(p.a.chat.messages().map((m) => m.text)).toEqual(p.b.chat.messages().map((m) => m.text))
    expect(p.a.chat.messages()).toHaveLength(2)
    expect(() => p.a.chat.send('x'.repeat(DEFAULT_BASIS_RULES.chat.maxLength + 1))).toThrow(ChatRejectedError)
    expect(() => { for (let i = 0; i < 20; i++) p.a.chat.send(`line ${i}`) }).toThrow(/chat messages a minute/)
  })

  it('refuses chat lines authored by someone other than the sender, and non-chat operations', () => {
    const p = pair()
    stopAll = p.stopAll
    const forged = new LoroDoc()
    forged.getList('chat').push({ author: 'peer-a', name: 'peer-a', time: 1, text: 'I am not peer-a' })
    forged.commit()
    expect(p.b.receive('chat', 'peer-c', forged.export({ mode: 'update' }))).toBe('reject')
    const other = new LoroDoc()
    other.getMap('admin').set('owner', 'peer-c')
    other.commit()
    expect(p.b.receive('chat', 'peer-c', other.export({ mode: 'update' }))).toBe('reject')
    expect(p.b.chat.messages()).toEqual([])
    expect(p.b.dropped().chat).toBe(2)
  })
})
