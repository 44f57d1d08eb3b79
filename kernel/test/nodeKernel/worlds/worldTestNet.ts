import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSigningKey } from '@peercompute/signing'
import { startRoot } from '@peercompute/root-server'
import type { RootServer } from '@peercompute/root-server'
import { createNode } from '../../../src/createNode.js'
import { nodeFetch, nodePlatform } from '../../../src/platform/node/index.js'
import { httpWorldSource } from '../../../src/nodeKernel/worlds/WorldSource.js'
import type { PeerComputeNode } from '../../../src/createNode.js'
import type { WorldSource } from '../../../src/nodeKernel/worlds/WorldSource.js'
import { publish, signedWorldBundle } from './worldBundles.js'
import type { WorldSpec } from './worldBundles.js'

/** A root on loopback with worlds published on it, and the headless nodes a test starts against it. */
export interface WorldTestNet {
  root: RootServer
  source: WorldSource
  /**
   * Starts a node named `name` that can join and host the published worlds; `hostPingMs` turns the
   * members' liveness pings on (a test of a host that freezes needs them).
   */
  node(name: string, options?: { hostPingMs?: number }): Promise<PeerComputeNode>
  /** Stops every node, then the root, and removes its data. */
  stop(): Promise<void>
}

/** Starts a root, publishes `worlds` signed by one fresh key, and hands out nodes on it. */
export async function startWorldTestNet(worlds: WorldSpec[]): Promise<WorldTestNet> {
  const dir = await mkdtemp(join(tmpdir(), 'pc-worlds-'))
  const root = await startRoot({ port: 0, dataDir: join(dir, 'data'), host: '127.0.0.1', publicHost: '127.0.0.1', onError: () => {} })
  const source = httpWorldSource({ root: root.url, fetch: nodeFetch({ insecure: true }) })
  const key = await generateSigningKey()
  for (const world of worlds) await publish(root.url, await signedWorldBundle(world, key))
  const nodes: PeerComputeNode[] = []
  return {
    root,
    source,
    node: async (name, options) => {
      const n = await createNode({
        platform: nodePlatform({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], trustRoot: { insecure: true }, dhtPrivateAddresses: true }),
        name, bootstrap: root.p2pMultiaddrs,
        // Liveness pings are not under test: on a loaded machine two missed pings start a migration
        // away from a host that is not gone. A host that stops still disconnects its members.
        worlds: { source, heartbeatMs: 2000, hostPingMs: options?.hostPingMs ?? 60_000 }
      })
      nodes.push(n)
      await n.start()
      return n
    },
    stop: async () => {
      await Promise.allSettled(nodes.map((n) => n.stop()))
      await root.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
