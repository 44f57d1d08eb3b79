import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerComputeNode } from '../../../src/createNode.js'
import { waitFor } from '../../fixtures/testWorld.js'
import { startWorldTestNet } from './worldTestNet.js'
import type { WorldTestNet } from './worldTestNet.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const hostOf = (node: PeerComputeNode): string | null => node.kernel.subWorlds.place(node.kernel.world()?.id ?? null).host

describe('host claims between real nodes (root, registry, libp2p)', () => {
  let net: WorldTestNet
  let a: PeerComputeNode
  let b: PeerComputeNode
  let c: PeerComputeNode

  beforeAll(async () => {
    net = await startWorldTestNet([{ id: 'plaza', parent: 'overworld', rules: {} }])
    ;[a, b, c] = [await net.node('ann'), await net.node('ben'), await net.node('cat')]
  }, 60_000)

  afterAll(async () => { await net?.stop() }, 30_000)

  it('two nodes that host one world at the same term agree on the lower peerId; the other steps down and its member follows', async () => {
    const [low, high] = [a, b].sort((x, y) => (x.getStatus().peerId! < y.getStatus().peerId! ? -1 : 1)) as [PeerComputeNode, PeerComputeNode]
    const [lowId, highId] = [low.getStatus().peerId, high.getStatus().peerId]
    // The higher one first, with a member of its own, so that the rule, not the order, decides.
    await high.kernel.hostWorld('plaza')
    await c.kernel.joinWorld('plaza')
    expect(hostOf(c)).toBe(highId)
    await low.kernel.hostWorld('plaza')
    await waitFor('one host of plaza, and its member with it', () => high.getStatus().hosting == null && hostOf(high) === lowId && hostOf(c) === lowId, 15_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}: high hosts ${JSON.stringify(high.getStatus().hosting?.world)} under ${hostOf(high)}, the member is under ${hostOf(c)}`)
    })
    expect(high.getStatus().migrations.at(-1)).toMatchObject({ from: highId, to: lowId })
    expect(c.getStatus().migrations.at(-1)).toMatchObject({ from: highId, to: lowId })
    // And it stays that way: nobody goes back.
    for (const end = Date.now() + 3000; Date.now() < end; await sleep(250)) {
      expect([low.getStatus().hosting?.world ?? null, high.getStatus().hosting?.world ?? null, c.getStatus().hosting?.world ?? null]).toEqual(['plaza', null, null])
      expect([hostOf(low), hostOf(high), hostOf(c)]).toEqual([lowId, lowId, lowId])
    }
    expect((await net.source.hosts('plaza')).map((h) => h.peerId)).toEqual([lowId])
  }, 40_000)
})
