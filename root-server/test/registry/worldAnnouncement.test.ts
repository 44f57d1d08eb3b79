import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKey } from '@peercompute/signing'
import { WORLDS_TOPIC, createNode } from '@peercompute/kernel'
import type { PeerComputeNode } from '@peercompute/kernel'
import { nodePlatform } from '@peercompute/kernel/node'
import { startRoot } from '../../src/startRoot.js'
import type { RootServer } from '../../src/startRoot.js'
import { call, signedBundle } from './registryFixtures.js'

describe('a published world is announced to connected nodes', () => {
  let dir: string
  let root: RootServer
  let watcher: PeerComputeNode

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-announce-'))
    root = await startRoot({ port: 0, host: '127.0.0.1', publicHost: '127.0.0.1', dataDir: join(dir, 'data'), onError: () => {} })
    watcher = await createNode({
      platform: nodePlatform({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], trustRoot: { insecure: true } }),
      name: 'watcher', bootstrap: root.p2pMultiaddrs
    })
    await watcher.start()
  })

  afterAll(async () => {
    await watcher?.stop()
    await root?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('over gossipsub, with the world id, version and its URL', async () => {
    const pubsub = watcher.kernel.network.libp2p()?.services.pubsub
    if (pubsub === undefined) throw new Error('the watcher has no pubsub service')
    pubsub.subscribe(WORLDS_TOPIC)
    const announced = new Promise<Record<string, unknown>>((resolve) => {
      pubsub.addEventListener('message', (event) => {
        if (event.detail.topic === WORLDS_TOPIC) resolve(JSON.parse(new TextDecoder().decode(event.detail.data)) as Record<string, unknown>)
      })
    })
    // The root must have seen the subscription before it publishes.
    const deadline = Date.now() + 10_000
    while (!pubsub.getPeers().some((p) => p.toString() === root.peerId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    await new Promise((r) => setTimeout(r, 1000))

    const published = await call(root.url, '/api/worlds', 'POST', await signedBundle(await generateSigningKey(), 'garden', '1.2.0'))
    expect(published.status).toBe(201)
    const message = await announced
    expect(message).toMatchObject({ id: 'garden', version: '1.2.0', parent: 'overworld' })
    expect(String(message['url'])).toContain('world=garden')
  })
})
