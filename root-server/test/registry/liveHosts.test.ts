import { spawn } from 'node:child_process'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LiveHosts } from '../../src/registry/liveHosts.js'
import type { RootServer } from '../../src/startRoot.js'
import { startTestRoot, tempDir } from '../fixtures.js'

const BIN = fileURLToPath(new URL('../../../world-sdk/bin/peercompute.js', import.meta.url))
const MOON = fileURLToPath(new URL('../../../content/worlds/moon', import.meta.url))
const run = promisify(execFile)
const PEER = '12D3KooWGRUVh4Uv1fJ9ayLqXGoWj6MxyUWJw2Mt8hT3WPPkSqsh'

async function api(root: RootServer, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const { request } = await import('node:https')
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, root.url), { method: init.method ?? 'GET', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }) })
    })
    req.on('error', reject)
    req.end(init.body as string | undefined)
  })
}

describe('LiveHosts', () => {
  it('expires announcements unless renewed, and caps hosts per world', () => {
    let now = 0
    const hosts = new LiveHosts({ ttlMs: 1000, maxPerWorld: 2, now: () => now })
    hosts.announce('moon', { peerId: 'a', multiaddrs: ['/ip4/1.2.3.4/tcp/1/ws/p2p/a'] })
    now = 600
    hosts.announce('moon', { peerId: 'b', multiaddrs: ['/ip4/1.2.3.4/tcp/2/ws/p2p/b'] })
    now = 1100
    expect(hosts.hosts('moon').map((h) => h.peerId)).toEqual(['b'])
    hosts.announce('moon', { peerId: 'c', multiaddrs: ['/x/p2p/c'] })
    hosts.announce('moon', { peerId: 'd', multiaddrs: ['/x/p2p/d'] })
    expect(hosts.hosts('moon').map((h) => h.peerId)).toEqual(['c', 'd'])
    expect(hosts.withdraw('moon', 'c')).toBe(true)
    expect(hosts.hosts('moon').map((h) => h.peerId)).toEqual(['d'])
  })
})

describe('live hosts on a real root, and `peercompute host`', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let root: RootServer

  beforeAll(async () => {
    dir = await tempDir('pc-hosts-')
    root = await startTestRoot(dir.path)
    const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir.path, timeout: 30_000 })
    await cli(['keygen', '--out', 'me.jwk'])
    await cli(['build', MOON, '--out', 'moon.pcb'])
    await cli(['sign', 'moon.pcb', '--key', 'me.jwk'])
    await cli(['publish', 'moon.pcb', '--root', root.url, '--key', 'me.jwk', '--insecure'])
  }, 60_000)
  afterAll(async () => {
    await root.stop()
    await dir.cleanup()
  })

  it('takes, lists and withdraws announcements; refuses bad ones and unknown worlds', async () => {
    const good = { peerId: PEER, multiaddrs: [`/ip4/127.0.0.1/tcp/9/ws/p2p/${PEER}`] }
    expect((await api(root, '/api/worlds/moon/hosts', { method: 'POST', body: JSON.stringify(good) })).body).toEqual({ ttlMs: 30_000 })
    const listed = (await api(root, '/api/worlds')).body as { worlds: { id: string; hosts: { peerId: string }[] }[] }
    expect(listed.worlds.find((w) => w.id === 'moon')?.hosts.map((h) => h.peerId)).toEqual([PEER])
    expect(listed.worlds.find((w) => w.id === 'overworld')?.hosts).toEqual([])
    const bad = await api(root, '/api/worlds/moon/hosts', { method: 'POST', body: JSON.stringify({ peerId: PEER, multiaddrs: ['/ip4/127.0.0.1/tcp/9/ws'] }) })
    expect(bad.status).toBe(400)
    expect((bad.body as { error: string }).error).toMatch(/p2p/)
    expect((await api(root, '/api/worlds/nowhere/hosts', { method: 'POST', body: JSON.stringify(good) })).status).toBe(404)
    expect((await api(root, `/api/worlds/moon/hosts/${PEER}`, { method: 'DELETE' })).status).toBe(200)
    expect((await api(root, '/api/worlds/moon/hosts')).body).toEqual({ hosts: [] })
  })

  it('`peercompute host moon` verifies, announces itself, prints the world URL, and withdraws on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'host', 'moon', '--root', root.url, '--insecure', '--listen', '/ip4/127.0.0.1/tcp/0/ws'], { cwd: dir.path })
    let out = ''
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8') })
    child.stderr.on('data', (c: Buffer) => { out += c.toString('utf8') })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const deadline = Date.now() + 20_000
    while (!out.includes('World URL') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100))
    expect(out).toContain(`World URL: ${new URL('/?world=moon', root.url).href}`)
    const hosts = (await api(root, '/api/worlds/moon/hosts')).body as { hosts: { peerId: string; multiaddrs: string[] }[] }
    expect(hosts.hosts).toHaveLength(1)
    expect(hosts.hosts[0]?.multiaddrs[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect((await api(root, '/api/worlds/moon/hosts')).body).toEqual({ hosts: [] })
  }, 40_000)
})
