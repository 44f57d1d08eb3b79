import { readFile, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { sha256Hex, verifyManifest } from '@peercompute/signing'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as WsWebSocket } from 'ws'
import type { ClientOptions } from 'ws'
import { SECURITY_HEADERS } from '../src/http/securityHeaders.js'
import { startRoot } from '../src/startRoot.js'
import type { RootServer, RootServerInit } from '../src/startRoot.js'
import type { WellKnown } from '../src/wellKnown.js'
import { fetchRaw, tempDir, writeClientBuild, writeOverworldBuild } from './fixtures.js'

async function json<T>(root: RootServer, path: string): Promise<T> {
  const res = await fetchRaw(root.url, path)
  expect(res.status).toBe(200)
  return JSON.parse(res.body.toString()) as T
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

function p2pPort(root: RootServer): number {
  return Number(/\/tcp\/(\d+)\//.exec(root.p2pMultiaddrs[0] ?? '')?.[1])
}

describe('startRoot', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let init: RootServerInit
  let root: RootServer

  beforeAll(async () => {
    dir = await tempDir()
    await writeClientBuild(join(dir.path, 'client'))
    await writeOverworldBuild(join(dir.path, 'content'))
    init = {
      port: 0,
      host: '127.0.0.1',
      publicHost: '127.0.0.1',
      dataDir: join(dir.path, 'data'),
      clientDir: join(dir.path, 'client'),
      contentBundlesDir: join(dir.path, 'content'),
    }
    root = await startRoot(init)
  })
  afterAll(async () => {
    await root.stop()
    await dir.cleanup()
  })

  it('creates the certificate and keys on first start, secrets with mode 0600', async () => {
    for (const file of ['keys/root-signing.jwk.json', 'keys/libp2p.key', 'tls/key.pem']) {
      expect((await stat(join(root.dataDir, file))).mode & 0o777).toBe(0o600)
    }
    await stat(join(root.dataDir, 'tls', 'cert.pem'))
    expect(root.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/)
  })

  it('publishes the key, multiaddrs and versions at the well-known URL', async () => {
    const wk = await json<WellKnown>(root, '/.well-known/peercompute.json')
    expect(wk).toEqual(root.wellKnown())
    expect(wk).toMatchObject({ protocol: 'peercompute/1', overworld: 'overworld', peerId: root.peerId, iceServers: [] })
    expect(wk.rootKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519' })
    expect(wk.rootKey).not.toHaveProperty('d')
    expect(wk.multiaddrs).toEqual(root.p2pMultiaddrs)
    expect(wk.multiaddrs[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/tls/ws/p2p/${root.peerId}$`))
    expect(p2pPort(root)).not.toBe(Number(new URL(root.url).port))
    expect(wk.versions.root).toBe('0.1.0')
    expect(wk.versions.libp2p).toMatch(/^3\./)
    expect(wk.versions.kernel).toMatch(/^\d+\./)
  })

  it('serves an overworld manifest that verifies against the well-known key, with every blob', async () => {
    const wk = await json<WellKnown>(root, '/.well-known/peercompute.json')
    const signed = await json<unknown>(root, '/api/worlds/overworld/manifest')
    const manifest = await verifyManifest(signed, { rootKey: wk.rootKey })
    expect(manifest.publisher).toBe(wk.rootKey.kid)
    for (const file of manifest.files) {
      const blob = await fetchRaw(root.url, `/blobs/${file.sha256}`)
      expect(blob.status).toBe(200)
      expect(await sha256Hex(new Uint8Array(blob.body))).toBe(file.sha256)
    }
    expect(await json(root, '/healthz')).toMatchObject({ status: 'ok', worlds: 1 })
  })

  it('sends the security headers on / and /healthz, refuses traversal and POST', async () => {
    for (const path of ['/', '/healthz']) {
      const res = await fetchRaw(root.url, path)
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name.toLowerCase()]).toBe(value)
    }
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/%2e%2e/data/keys/libp2p.key']) {
      expect([400, 404]).toContain((await fetchRaw(root.url, path)).status)
    }
    expect((await fetchRaw(root.url, '/', { method: 'POST' })).status).toBe(405)
  })

  it('accepts a libp2p dial over secure WebSockets', async () => {
    const cert = await readFile(join(root.dataDir, 'tls', 'cert.pem'), 'utf8')
    const saved = globalThis.WebSocket
    // The dialer uses the global WebSocket; this one trusts the root's self-signed certificate.
    globalThis.WebSocket = class extends WsWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, { ca: cert } satisfies ClientOptions)
      }
    } as unknown as typeof globalThis.WebSocket
    const client = await createLibp2p({
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
    })
    try {
      const conn = await client.dial(multiaddr(root.p2pMultiaddrs[0] ?? ''), { signal: AbortSignal.timeout(15_000) })
      expect(conn.remotePeer.toString()).toBe(root.peerId)
    } finally {
      await client.stop()
      globalThis.WebSocket = saved
    }
  })

  it('frees both ports on stop and reuses the same identity on the next start', async () => {
    const before = { wk: root.wellKnown(), cert: await readFile(join(root.dataDir, 'tls', 'cert.pem'), 'utf8') }
    const ports = [Number(new URL(root.url).port), p2pPort(root)]
    await root.stop()
    for (const port of ports) expect(await portIsFree(port)).toBe(true)

    root = await startRoot(init)
    const after = root.wellKnown()
    expect(after.peerId).toBe(before.wk.peerId)
    expect(after.rootKey).toEqual(before.wk.rootKey)
    expect(await readFile(join(root.dataDir, 'tls', 'cert.pem'), 'utf8')).toBe(before.cert)
    const signed = await json<unknown>(root, '/api/worlds/overworld/manifest')
    await expect(verifyManifest(signed, { rootKey: before.wk.rootKey })).resolves.toMatchObject({ id: 'overworld' })
  })
})

describe('startRoot with a broken overworld', () => {
  it('refuses to start and names the problem', async () => {
    const dir = await tempDir()
    try {
      await writeOverworldBuild(join(dir.path, 'content'), '1.0.0', '{"spawn":"nowhere"}')
      const init = { port: 0, host: '127.0.0.1', dataDir: join(dir.path, 'data'), clientDir: join(dir.path, 'client'), contentBundlesDir: join(dir.path, 'content') }
      await expect(startRoot(init)).rejects.toThrow(/terrain|spawn/)
    } finally {
      await dir.cleanup()
    }
  })
})
