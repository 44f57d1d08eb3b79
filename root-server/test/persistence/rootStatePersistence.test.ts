import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createNode } from '@peercompute/kernel'
import type { LoadedWorld, PeerComputeNode } from '@peercompute/kernel'
import { nodePlatform } from '@peercompute/kernel/node'
import { DEFAULT_BASIS_RULES } from '@peercompute/world-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filePersistence } from '../../src/persistence/filePersistence.js'
import type { FilePersistence } from '../../src/persistence/filePersistence.js'
import { readWorldState } from '../../src/persistence/worldStateReader.js'
import { tempDir } from '../fixtures.js'

const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#22aa44', mass: 1 }

function world(id: string): LoadedWorld {
  return {
    id, name: id, rules: DEFAULT_BASIS_RULES, heights: new Float32Array(4),
    definition: { terrain: { seed: 1, size: 16, resolution: 2, amplitude: 0 }, spawn: [0, 1, 0], props: [], sky: { color: '#8899ff' }, fog: { color: '#ffffff', density: 0 } },
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("the root's kernel with file persistence", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let persistence: FilePersistence
  let root: PeerComputeNode
  let rootAddr: string
  const peers: PeerComputeNode[] = []

  async function startRoot(): Promise<void> {
    persistence = filePersistence({ dir: join(dir.path, 'state') })
    root = await createNode({ platform: nodePlatform({ role: 'root' }), persistence })
    await root.start()
    rootAddr = root.kernel.network.libp2p()!.getMultiaddrs()[0]!.toString()
  }

  async function peer(worldId: string, storageMode: 'local' | 'propagate'): Promise<PeerComputeNode> {
    const node = await createNode({ platform: nodePlatform(), name: `p${peers.length}`, bootstrap: [rootAddr], storageMode })
    peers.push(node)
    await node.start()
    await node.kernel.enterWorld(world(worldId))
    return node
  }

  beforeAll(async () => {
    dir = await tempDir('pc-rootstate-')
    await startRoot()
  })
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()))
    await root.stop()
    await persistence.close()
    await dir.cleanup()
  })

  it("logs each write of a 'propagate' peer once (gossip replays are not logged again), and keeps it across a restart", async () => {
    const p = await peer('overworld', 'propagate')
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(await p.kernel.state.placeProp({ prop: box, position: [i, 0, 0] }))
    await p.kernel.state.moveProp(ids[0]!, { position: [9, 0, 9] })
    await p.kernel.state.sendChat('kept?')
    // Each write reaches the root twice, pushed and gossiped; the second copy is a replay.
    await waitFor('gossip copies to reach the root as replays', () => root.kernel.state.stats().replays >= 3)
    await new Promise((r) => setTimeout(r, 300))
    expect(persistence.open('overworld').counts.appends).toBe(7)

    await root.stop()
    await persistence.close()
    await startRoot()
    const view = root.kernel.state.world()!
    expect(ids.map((id) => view.entity(id) != null)).toEqual([true, true, true, true, true])
    expect(view.entity(ids[0]!)?.transform?.position).toEqual([9, 0, 9])
    expect(view.chat().map((m) => m.text)).toEqual(['kept?'])
  })

  it("keeps a sub-world whose host propagates, and nothing of one whose host keeps it 'local'", async () => {
    const host = await peer('my-world', 'propagate')
    const id = await host.kernel.state.placeProp({ prop: box, position: [1, 2, 3], name: 'statue' })
    await host.kernel.state.setSetting('title', 'My world')
    const local = await peer('quiet-world', 'local')
    await local.kernel.state.placeProp({ prop: box, position: [0, 0, 0] })
    expect(existsSync(join(dir.path, 'state', 'quiet-world'))).toBe(false)
    const report = readWorldState(dir.path, 'my-world')
    try {
      const now = report.stateAt()
      expect(now.entities.map((e) => [e.id, e.name])).toEqual([[id, 'statue']])
      expect(now.settings).toEqual({ title: 'My world' })
      expect(report.versions.length).toBeGreaterThan(0)
      expect(report.stateAt(report.versions[0]!.version).version).toBe(report.versions[0]!.version)
    } finally {
      report.close()
    }
  })
})
