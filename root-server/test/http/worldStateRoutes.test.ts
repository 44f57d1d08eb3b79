import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createNode } from '@peercompute/kernel'
import type { LoadedWorld, PeerComputeNode } from '@peercompute/kernel'
import { nodePlatform } from '@peercompute/kernel/node'
import { generateSigningKey } from '@peercompute/signing'
import { DEFAULT_BASIS_RULES } from '@peercompute/world-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readWorldState } from '../../src/persistence/worldStateReader.js'
import type { RootServer } from '../../src/startRoot.js'
import { fetchRaw, startTestRoot, tempDir } from '../fixtures.js'
import { call, signedBundle } from '../registry/registryFixtures.js'

const BIN = fileURLToPath(new URL('../../../world-sdk/bin/peercompute.js', import.meta.url))
const run = promisify(execFile)
// Small pages, so a handful of writes spans several of them.
const PAGES = { versions: 3, items: 2 }
const box = { shape: 'box' as const, size: [1, 1, 1] as [number, number, number], color: '#2244aa', mass: 1 }
const overworld: LoadedWorld = {
  id: 'overworld', name: 'Overworld', rules: DEFAULT_BASIS_RULES, heights: new Float32Array(4),
  definition: { terrain: { seed: 1, size: 16, resolution: 2, amplitude: 0 }, spawn: [0, 1, 0], props: [], sky: { color: '#8899ff' }, fog: { color: '#ffffff', density: 0 } },
}

/** Runs the real `peercompute` binary (world-sdk built); never throws. */
async function peercompute(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 })
    return { code: 0, out: stdout, err: stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof err.code === 'number' ? err.code : -1, out: err.stdout ?? '', err: err.stderr ?? '' }
  }
}

/** What the data folder holds, read by the code `peercompute state --data` uses. */
function fromFolder<T>(root: RootServer, read: (stored: ReturnType<typeof readWorldState>) => T): T {
  const stored = readWorldState(root.dataDir, 'overworld')
  try {
    return read(stored)
  } finally {
    stored.close()
  }
}

/** One page of either state route, as the tests read it. */
interface PageAnswer { next: number | null; versions: unknown[]; entities: unknown[]; chat: unknown[]; [field: string]: unknown }

/** Every page of a paged answer, following `next`. */
async function allPages(root: RootServer, path: string): Promise<PageAnswer[]> {
  const pages: PageAnswer[] = []
  for (let from: number | null = 0; from !== null; ) {
    const res = await call(root.url, `${path}${path.includes('?') ? '&' : '?'}from=${from}`)
    expect(res.status).toBe(200)
    pages.push(res.json)
    from = res.json.next
  }
  return pages
}

describe("a root's stored world state over HTTP", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let root: RootServer
  let writer: PeerComputeNode
  const errors: unknown[] = []
  const props: string[] = []

  beforeAll(async () => {
    dir = await tempDir('pc-state-http-')
    root = await startTestRoot(dir.path, { statePages: PAGES, onError: (err) => errors.push(err) })
    // State written as players write it: a 'propagate' peer whose writes the root acknowledges after fsync.
    writer = await createNode({
      platform: nodePlatform({ trustRoot: { insecure: true } }), name: 'writer', bootstrap: root.p2pMultiaddrs, storageMode: 'propagate',
    })
    await writer.start()
    await writer.kernel.enterWorld(overworld)
    // Alternating intents: Loro merges a peer's back-to-back changes of one intent into one version.
    const lines = ['hello', 'is this kept?', 'bye']
    for (let i = 0; i < 5; i++) {
      props.push(await writer.kernel.state.placeProp({ prop: box, position: [i, 0, 0], ...(i === 0 ? { name: 'statue' } : {}) }))
      if (i < lines.length) await writer.kernel.state.sendChat(lines[i]!)
    }
    await writer.kernel.state.moveProp(props[1]!, { position: [7, 0, 7] })
    expect((await call(root.url, '/api/worlds', 'POST', await signedBundle(await generateSigningKey(), 'garden', '1.0.0'))).status).toBe(201)
  })
  afterAll(async () => {
    await writer?.stop()
    await root?.stop()
    await dir?.cleanup()
    expect(errors).toEqual([])
  })

  describe('GET /api/worlds/:id/state/history', () => {
    it('answers the versions the data folder holds, in pages of the configured size', async () => {
      const pages = await allPages(root, '/api/worlds/overworld/state/history')
      const versions = fromFolder(root, (s) => s.versions)
      expect(versions.length).toBeGreaterThanOrEqual(7)
      expect(pages.flatMap((p) => p.versions)).toEqual(versions)
      expect(pages).toHaveLength(Math.ceil(versions.length / PAGES.versions))
      expect(pages[0]).toMatchObject({ world: 'overworld', total: versions.length, from: 0, next: 3, tornBytes: 0, badSnapshot: false })
      expect(pages.at(-1)?.next).toBeNull()
    })

    it('answers an empty page past the end, and HEAD without a body', async () => {
      const past = await call(root.url, '/api/worlds/overworld/state/history?from=1000')
      expect(past.status).toBe(200)
      expect(past.json).toMatchObject({ versions: [], next: null })
      const head = await fetchRaw(root.url, '/api/worlds/overworld/state/history', { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(head.headers['cache-control']).toBe('no-store')
      expect(head.body.byteLength).toBe(0)
    })
  })

  describe('GET /api/worlds/:id/state', () => {
    it('answers the latest state, every page at the version of the first', async () => {
      const first = await call(root.url, '/api/worlds/overworld/state')
      expect(first.status).toBe(200)
      const pages = [first.json, ...(await allPages(root, `/api/worlds/overworld/state?at=${encodeURIComponent(first.json.version)}`)).slice(1)]
      const now = fromFolder(root, (s) => s.stateAt())
      expect(first.json.version).toBe(now.version)
      expect(first.json.totals).toEqual({ entities: 5, chat: 3 })
      expect(first.json.entities).toHaveLength(PAGES.items)
      expect(pages.flatMap((p) => p.entities)).toEqual(now.entities)
      expect(pages.flatMap((p) => p.chat)).toEqual(now.chat)
      expect(first.json.settings).toEqual(now.settings)
      expect(now.entities.map((e) => e.id).sort()).toEqual([...props].sort())
      expect(now.chat.map((m) => m.text)).toEqual(['hello', 'is this kept?', 'bye'])
    })

    it('answers the state at an earlier version as the data folder has it', async () => {
      const versions = fromFolder(root, (s) => s.versions)
      const at = versions[4]!.version
      const pages = await allPages(root, `/api/worlds/overworld/state?at=${encodeURIComponent(at)}`)
      const then = fromFolder(root, (s) => s.stateAt(at))
      expect(then.entities.length).toBeGreaterThan(PAGES.items)
      expect(then.entities.length).toBeLessThan(props.length)
      expect(pages[0]).toMatchObject({ version: at, totals: { entities: then.entities.length, chat: then.chat.length } })
      expect(pages.flatMap((p) => p.entities)).toEqual(then.entities)
      expect(pages.flatMap((p) => p.chat)).toEqual(then.chat)
      const empty = await call(root.url, '/api/worlds/overworld/state?at=')
      expect(empty.json).toMatchObject({ version: '', entities: [], chat: [], next: null })
    })
  })

  describe('bad input', () => {
    it.each([
      ['/api/worlds/nowhere/state/history', 404, 'NoWorldStateError', /No world "nowhere" is on this root\. List the worlds with GET \/api\/worlds/],
      ['/api/worlds/nowhere/state', 404, 'NoWorldStateError', /No world "nowhere" is on this root/],
      ['/api/worlds/garden/state/history', 404, 'NoWorldStateError', /"garden" is published here but this root keeps no state for it/],
      ['/api/worlds/Not_An_Id/state', 400, 'WorldIdError', /is not a world id/],
      ['/api/worlds/overworld/state?at=yesterday', 400, 'StateQueryError', /"yesterday" is not a version.*GET \/api\/worlds\/overworld\/state\/history/],
      ['/api/worlds/overworld/state?at=99999@12345', 404, 'UnknownVersionError', /"99999@12345" is not in the stored history of "overworld"\. List the versions with GET \/api\/worlds\/overworld\/state\/history/],
      ['/api/worlds/overworld/state/history?from=-1', 400, 'StateQueryError', /"from" must be a whole number, got "-1"/],
      ['/api/worlds/overworld/state?from=two', 400, 'StateQueryError', /"from" must be a whole number/],
      ['/api/worlds/overworld/state/history?limit=0', 400, 'StateQueryError', /"limit" must be between 1 and 3/],
      ['/api/worlds/overworld/state?limit=3', 400, 'StateQueryError', /"limit" must be between 1 and 2 \(this root's page size\)/],
    ])('%s -> %i %s', async (path, status, name, message) => {
      const res = await call(root.url, path)
      expect(res.status).toBe(status)
      expect(res.json.name).toBe(name)
      expect(res.json.error).toMatch(message)
    })

    it('refuses to change state (405, GET only), as every read-only route does', async () => {
      const res = await fetchRaw(root.url, '/api/worlds/overworld/state', { method: 'DELETE' })
      expect(res.status).toBe(405)
      expect(res.headers['allow']).toBe('GET, HEAD')
    })
  })

  describe('peercompute state --root', () => {
    const rootUrl = (): string => root.url.replace(/\/$/, '')
    const ca = (): Record<string, string> => ({ PEERCOMPUTE_CA: join(root.dataDir, 'tls', 'cert.pem') })

    it('prints what --data prints, for history and show, as text and JSON, across pages', async () => {
      const at = fromFolder(root, (s) => s.versions[2]!.version)
      for (const args of [['history', 'overworld'], ['history', 'overworld', '--json'], ['show', 'overworld'], ['show', 'overworld', '--json'], ['show', 'overworld', '--at', at]]) {
        const data = await peercompute(['state', ...args, '--data', root.dataDir])
        const url = await peercompute(['state', ...args, '--root', rootUrl()], ca())
        expect(data).toMatchObject({ code: 0, err: '' })
        expect(url).toEqual(data)
      }
      const show = await peercompute(['state', 'show', 'overworld', '--root', rootUrl(), '--insecure'])
      expect(show.out).toMatch(/^5 entities:$/m)
      expect(show.out).toMatch(/statue {2}at \[0,0,0\]/)
      expect(show.out).toMatch(/^ {2}\[.*\] writer: is this kept\?$/m)
    })

    it('says in one line what the root refused, with exit code 1', async () => {
      const unknown = await peercompute(['state', 'history', 'nowhere', '--root', rootUrl(), '--insecure'])
      expect(unknown.code).toBe(1)
      expect(unknown.err).toBe('peercompute state: No world "nowhere" is on this root. List the worlds with GET /api/worlds (or "peercompute worlds --root <url>").\n')
      const version = await peercompute(['state', 'show', 'overworld', '--at', '1@1', '--root', rootUrl(), '--insecure'])
      expect(version.code).toBe(1)
      expect(version.err).toMatch(/^peercompute state: Version "1@1" is not in the stored history of "overworld"\. List the versions with .*"peercompute state history overworld --root <url>"\)\.\n$/)
    })

    it("refuses a self-signed root's certificate unless told to trust it", async () => {
      const res = await peercompute(['state', 'history', 'overworld', '--root', rootUrl()])
      expect(res.code).toBe(1)
      expect(res.err).toMatch(/^peercompute state: The certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted .*PEERCOMPUTE_CA/)
    })
  })
})
