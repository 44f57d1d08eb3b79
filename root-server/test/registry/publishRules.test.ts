import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKey, signBundle } from '@peercompute/signing'
import type { SigningKey } from '@peercompute/signing'
import { call, listTree, unsignedBundle } from './registryFixtures.js'
import { startTestRegistry } from './registryFixtures.js'
import type { TestRegistry } from './registryFixtures.js'

let reg: TestRegistry
let alice: SigningKey

beforeAll(async () => {
  alice = await generateSigningKey()
  reg = await startTestRegistry()
})
afterAll(() => reg.stop())

const publish = async (id: string, parent: string, rules: Record<string, unknown>) =>
  call(reg.url, '/api/worlds', 'POST', await signBundle(await unsignedBundle(id, '1.0.0', { parent, rules }), alice))

describe('publishing checks rules against the parent chain', () => {
  it('accepts children within their ancestors rules and refuses those that break them, at any depth', async () => {
    const arena = await publish('arena', 'overworld', {
      limits: { players: 16 },
      descendants: { lock: ['physics.gravity'], bounds: { 'limits.players': { max: 'own' } } },
    })
    expect(arena.status).toBe(201)
    expect((await publish('annex', 'arena', { limits: { players: 8 } })).status).toBe(201)

    const before = await listTree(reg.dataDir)
    const moon = await publish('moon', 'arena', { physics: { gravity: -1.62 } })
    expect(moon.status).toBe(400)
    expect(moon.json.error).toContain("rules.physics.gravity is locked by 'arena' at -9.81; 'moon' sets -1.62")

    const crowd = await publish('crowd', 'arena', { limits: { players: 32 } })
    expect(crowd.status).toBe(400)
    expect(crowd.json.error).toContain("rules.limits.players must be at most 16 below 'arena'; 'crowd' sets 32")

    const deep = await publish('cellar', 'annex', { physics: { gravity: -20 } })
    expect(deep.status).toBe(400)
    expect(deep.json.error).toContain("locked by 'arena'")
    expect(await listTree(reg.dataDir)).toEqual(before)
  })

  it('refuses a child of a world that allows no subworlds', async () => {
    expect((await publish('closed', 'overworld', { permissions: { subworlds: false } })).status).toBe(201)
    const child = await publish('inside', 'closed', {})
    expect(child.status).toBe(400)
    expect(child.json.error).toContain('rules.permissions.subworlds')
  })
})
