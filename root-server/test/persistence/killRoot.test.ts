import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createNode } from '@peercompute/kernel'
import type { LoadedWorld } from '@peercompute/kernel'
import { BrowserLikeWebSocket, nodePlatform } from '@peercompute/kernel/node'
import { DEFAULT_BASIS_RULES } from '@peercompute/world-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientOptions } from 'ws'
import { freePort } from '../../src/p2p/freePort.js'
import { readWorldState } from '../../src/persistence/worldStateReader.js'
import { tempDir } from '../fixtures.js'

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))
const ROUNDS = 4
const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#aa2244', mass: 1 }
const overworld: LoadedWorld = {
  id: 'overworld', name: 'Overworld', rules: DEFAULT_BASIS_RULES, heights: new Float32Array(4),
  definition: { terrain: { seed: 1, size: 16, resolution: 2, amplitude: 0 }, spawn: [0, 1, 0], props: [], sky: { color: '#8899ff' }, fog: { color: '#ffffff', density: 0 } },
}

/** Runs the root's command line; resolves with its libp2p address once it says it is running. */
async function spawnRoot(dataDir: string, ports: [number, number]): Promise<{ child: ChildProcess; addr: string }> {
  const child = spawn(process.execPath, [CLI, '--port', String(ports[0]), '--p2p-port', String(ports[1]), '--host', '127.0.0.1', '--public-host', '127.0.0.1', '--data', dataDir], {
    // Compact often, so some kills land during a snapshot.
    env: { ...process.env, PEERCOMPUTE_STATE_COMPACT_RECORDS: '25' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const addr = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the root did not start in 30 s:\n${output}`)), 30_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const m = /libp2p: (\S+)/.exec(output)
      if (m != null) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => { output += c.toString() })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the root exited (${code}):\n${output}`)) })
  })
  return { child, addr }
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise((resolve) => child.once('exit', resolve))
}

describe('kill -9 of the root at random moments', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let ports: [number, number]
  const savedWebSocket = globalThis.WebSocket

  beforeAll(async () => {
    dir = await tempDir('pc-kill-')
    ports = [await freePort('127.0.0.1'), await freePort('127.0.0.1')]
  })
  afterAll(async () => {
    globalThis.WebSocket = savedWebSocket
    await dir.cleanup()
  })

  it('loses no acknowledged update and always restarts with a document that loads', async () => {
    const dataDir = join(dir.path, 'data')
    const acked: string[] = []
    const chats: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const { child, addr } = await spawnRoot(dataDir, ports)
      if (round === 0) {
        const ca = await readFile(join(dataDir, 'tls', 'cert.pem'), 'utf8')
        // The kernel dials with the global WebSocket; this one trusts the root's self-signed certificate.
        // BrowserLikeWebSocket drops an error nobody listens for: a late connect error to the killed root is not uncaught.
        globalThis.WebSocket = class extends BrowserLikeWebSocket {
          constructor(url: string | URL, protocols?: string | string[]) {
            super(url, protocols, { ca } satisfies ClientOptions)
          }
        } as unknown as typeof globalThis.WebSocket
      }
      const client = await createNode({ platform: nodePlatform(), name: `writer${round}`, bootstrap: [addr], storageMode: 'propagate' })
      try {
        await client.start()
        await client.kernel.enterWorld(overworld)
        let alive = true
        const writer = async (w: number): Promise<void> => {
          for (let i = 0; alive; i++) {
            try {
              if (i % 10 === 9) chats.push((await client.kernel.state.sendChat(`r${round} w${w} line ${i}`)).text)
              else acked.push(await client.kernel.state.placeProp({ prop: box, position: [round, w, i] }))
            } catch {
              return // the root is gone: this write was not acknowledged
            }
          }
        }
        const ackedBefore = acked.length
        const writers = [0, 1, 2].map(writer)
        // A few acknowledged writes first (a loaded machine may take a while), then a random moment.
        for (const deadline = Date.now() + 30_000; acked.length < ackedBefore + 5 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20))
        await new Promise((r) => setTimeout(r, Math.random() * 900))
        child.kill('SIGKILL')
        await exited(child)
        alive = false
        await Promise.all(writers)
      } finally {
        child.kill('SIGKILL')
        await client.stop()
      }
    }
    expect(acked.length).toBeGreaterThanOrEqual(ROUNDS * 5)

    // What a restarted root loads: every acknowledged prop and chat line.
    const stored = readWorldState(dataDir, 'overworld')
    try {
      const now = stored.stateAt()
      const ids = new Set(now.entities.map((e) => e.id))
      expect(acked.filter((id) => !ids.has(id))).toEqual([])
      const lines = new Set(now.chat.map((m) => m.text))
      expect(chats.filter((t) => !lines.has(t))).toEqual([])
    } finally {
      stored.close()
    }
    const { child } = await spawnRoot(dataDir, ports)
    child.kill('SIGTERM')
    await exited(child)
  }, 120_000)
})
