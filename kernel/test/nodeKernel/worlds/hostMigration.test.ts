import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { outranks } from '../../../src/nodeKernel/worlds/hostClaims.js'
import type { PeerComputeNode } from '../../../src/createNode.js'
import { waitFor } from '../../fixtures/testWorld.js'
import { startWorldTestNet } from './worldTestNet.js'
import type { WorldTestNet } from './worldTestNet.js'

const HOST_PROCESS = fileURLToPath(new URL('./hostProcess.mjs', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Place { peerId: string | null; host: string | null; parent: string | null; hosting: string | null; migrations: Array<{ from: string; to: string | null; ms: number }>; entities: Array<string | null> }

/** A node in a child process (hostProcess.mjs), which the test can freeze for real with SIGSTOP. */
class NodeProcess {
  private seq = 0
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  readonly ready: Promise<string>
  readonly child: ChildProcess

  constructor(init: { root: string; bootstrap: string[]; name: string }) {
    this.child = fork(HOST_PROCESS, [JSON.stringify(init)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => { reject(new Error(`the node process exited (${code ?? 'signal'}) before it was ready`)) })
      this.child.on('message', (msg: { ready?: boolean; peerId?: string; id?: number; ok?: boolean; value?: unknown; error?: string }) => {
        if (msg.ready === true) resolve(msg.peerId ?? '')
        const pending = msg.id == null ? undefined : this.waiting.get(msg.id)
        if (pending == null || msg.id == null) return
        this.waiting.delete(msg.id)
        if (msg.ok === true) pending.resolve(msg.value)
        else pending.reject(new Error(msg.error ?? 'failed'))
      })
    })
  }

  async call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.seq
    const answer = new Promise<unknown>((resolve, reject) => { this.waiting.set(id, { resolve, reject }) })
    this.child.send({ id, op, ...args })
    return await answer as T
  }

  /** Stops the node and waits for the process to end (killed if it does not within 10 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode != null || this.child.signalCode != null) return
    this.child.kill('SIGCONT')
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.call('stop').catch(() => {})
    await Promise.race([exited, sleep(10_000)])
    if (this.child.exitCode == null && this.child.signalCode == null) this.child.kill('SIGKILL')
  }
}

function placeOf(node: PeerComputeNode): Place {
  const status = node.getStatus()
  return {
    peerId: status.peerId,
    host: node.kernel.subWorlds.place(node.kernel.world()?.id ?? null).host,
    parent: status.parent,
    hosting: status.hosting?.world ?? null,
    migrations: status.migrations,
    entities: node.kernel.state.world()?.entities().map((e) => e.name) ?? []
  }
}

describe('host claims', () => {
  it('rank by migration term first, then the lower peerId, the same way seen from either side', () => {
    expect(outranks({ host: 'b', term: 1 }, { host: 'a', term: 0 })).toBe(true)
    expect(outranks({ host: 'a', term: 0 }, { host: 'b', term: 1 })).toBe(false)
    expect(outranks({ host: 'a', term: 2 }, { host: 'b', term: 2 })).toBe(true)
    expect(outranks({ host: 'b', term: 2 }, { host: 'a', term: 2 })).toBe(false)
  })
})

describe('a host that froze while its members migrated steps down when it wakes (real processes, root, libp2p)', () => {
  let net: WorldTestNet
  let frozen: NodeProcess
  let b: PeerComputeNode
  let c: PeerComputeNode

  beforeAll(async () => {
    net = await startWorldTestNet([{ id: 'plaza', parent: 'overworld', rules: {} }])
    frozen = new NodeProcess({ root: net.root.url, bootstrap: net.root.p2pMultiaddrs, name: 'frozen' })
    await frozen.ready
    b = await net.node('bob', { hostPingMs: 500 })
    c = await net.node('carol', { hostPingMs: 500 })
  }, 60_000)

  afterAll(async () => {
    await frozen?.stop()
    await net?.stop()
  }, 30_000)

  it('members migrate off the frozen host; woken, it joins the new host; every node agrees on one host and stays', async () => {
    await frozen.call('host', { world: 'plaza' })
    const old = (await frozen.call<Place>('status')).peerId!
    await b.kernel.joinWorld('plaza')
    await c.kernel.joinWorld('plaza')
    await waitFor('B and C to see each other, and both to have heard the host\'s claim', () =>
      b.getStatus().players.some((p) => p.name === 'carol') && c.getStatus().players.some((p) => p.name === 'bob') &&
      placeOf(b).host === old && placeOf(c).host === old, 15_000)
    const [first, second] = [b, c].sort((x, y) => (x.getStatus().peerId! < y.getStatus().peerId! ? -1 : 1)) as [PeerComputeNode, PeerComputeNode]
    const next = first.getStatus().peerId!

    // The host's whole process stops: event loop, timers, libp2p; its sockets stay open, as on a stalled machine.
    frozen.child.kill('SIGSTOP')
    const stoppedAt = Date.now()
    await waitFor('the members to migrate to the lowest peerId among them', () => placeOf(first).hosting === 'plaza' && placeOf(second).host === next, 15_000)
    const migratedMs = Date.now() - stoppedAt
    frozen.child.kill('SIGCONT')
    const wokeAt = Date.now()
    // An edit the old host makes as it wakes (as host or as member: whichever it is by then) reaches the new host.
    await frozen.call('place', { name: 'woke' })

    let seen: Place | null = null
    await waitFor('the woken host to step down and join the new one', () => {
      void frozen.call<Place>('status').then((s) => { seen = s })
      return seen?.hosting === null && seen.host === next
    }, 10_000).catch((err: unknown) => { throw new Error(`${(err as Error).message}: it says ${JSON.stringify(seen)}`) })
    const agreedMs = Date.now() - wokeAt
    console.log(`host frozen: members migrated ${migratedMs} ms after SIGSTOP; one host again ${agreedMs} ms after SIGCONT`)
    expect(agreedMs).toBeLessThan(8000)
    expect(seen!.migrations.at(-1)).toMatchObject({ from: old, to: next })

    // For 3 s, every node (and the registry) names the same one host, and nobody goes back.
    for (const end = Date.now() + 3000; Date.now() < end; await sleep(250)) {
      const woken = await frozen.call<Place>('status')
      expect([placeOf(first).hosting, placeOf(second).hosting, woken.hosting]).toEqual(['plaza', null, null])
      expect([placeOf(first).host, placeOf(second).host, woken.host]).toEqual([next, next, next])
      expect([placeOf(second).parent, woken.parent]).toEqual([next, next])
    }
    const listed = (await net.source.hosts('plaza')).map((h) => (h.peerId === next ? 'new host' : h.peerId === old ? 'old host' : h.peerId))
    expect(listed).toEqual(['new host'])
    expect(placeOf(second).migrations.map((m) => m.to), JSON.stringify(placeOf(second).migrations)).toEqual([next])
    expect(placeOf(first).migrations.map((m) => m.to), JSON.stringify(placeOf(first).migrations)).toEqual([next])
    await waitFor('the woken host\'s edit to reach the new host and the other member', () => placeOf(first).entities.includes('woke') && placeOf(second).entities.includes('woke'), 8000)
  }, 60_000)
})
