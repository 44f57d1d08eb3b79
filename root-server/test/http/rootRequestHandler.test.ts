import { createServer } from 'node:https'
import type { Server } from 'node:https'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BundleStore } from '../../src/bundles/bundleStore.js'
import { loadOrCreateCertificate } from '../../src/dataDir/tlsCertificate.js'
import { rootRequestHandler } from '../../src/http/rootRequestHandler.js'
import { SECURITY_HEADERS } from '../../src/http/securityHeaders.js'
import type { WellKnown } from '../../src/wellKnown.js'
import { fetchRaw, tempDir, writeClientBuild } from '../fixtures.js'

const WELL_KNOWN = { protocol: 'peercompute/1', name: 'test' } as WellKnown

async function serve(clientDir: string, dataDir: string, errors: unknown[]): Promise<{ server: Server; url: string; store: BundleStore }> {
  const tls = await loadOrCreateCertificate(dataDir, 'localhost')
  const store = new BundleStore(dataDir)
  const server = createServer(
    { cert: tls.cert, key: tls.key },
    rootRequestHandler({
      wellKnown: () => WELL_KNOWN,
      health: () => ({ status: 'ok', uptimeSeconds: 1, peers: 0, worlds: store.worldCount() }),
      store,
      clientDir,
      onError: (err) => errors.push(err),
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return { server, url: `https://127.0.0.1:${address.port}/`, store }
}

describe('rootRequestHandler', () => {
  const errors: unknown[] = []
  let url = ''
  let store: BundleStore
  let server: Server
  let cleanup: () => Promise<void>

  beforeAll(async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    const clientDir = join(dir.path, 'client')
    await writeClientBuild(clientDir)
    ;({ server, url, store } = await serve(clientDir, join(dir.path, 'data'), errors))
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await cleanup()
    expect(errors).toEqual([])
  })

  it.each(['/', '/healthz', '/.well-known/peercompute.json', '/nope.js', '/api/worlds/none/manifest'])('sends the security headers on %s', async (path) => {
    const res = await fetchRaw(url, path)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name.toLowerCase()]).toBe(value)
  })

  it('serves index.html for / and for extension-less client routes, 404 for unknown files', async () => {
    const home = await fetchRaw(url, '/')
    expect(home.status).toBe(200)
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(home.body.toString()).toContain('<title>PeerCompute</title>')
    expect((await fetchRaw(url, '/worlds/some-world')).body.toString()).toContain('<title>PeerCompute</title>')
    expect((await fetchRaw(url, '/missing.png')).status).toBe(404)
  })

  it('sends MIME types, immutable caching for /assets/ and ETags elsewhere', async () => {
    const js = await fetchRaw(url, '/assets/index-abc123.js')
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const wasm = await fetchRaw(url, '/assets/havok-abc123.wasm')
    expect(wasm.headers['content-type']).toBe('application/wasm')
    const svg = await fetchRaw(url, '/logo.svg')
    expect(svg.headers['content-type']).toBe('image/svg+xml')
    const etag = String(svg.headers['etag'])
    expect((await fetchRaw(url, '/logo.svg', { headers: { 'if-none-match': etag } })).status).toBe(304)
    const head = await fetchRaw(url, '/logo.svg', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body.byteLength).toBe(0)
    expect(head.headers['content-length']).toBe(String(svg.body.byteLength))
  })

  it.each(['/../package.json', '/%2e%2e/package.json', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fpackage.json', '/.data/keys/libp2p.key'])(
    'refuses path traversal %s',
    async (path) => {
      const res = await fetchRaw(url, path)
      expect([400, 404]).toContain(res.status)
      expect(res.body.toString()).not.toContain('"name"')
    },
  )

  it('answers 405 to other methods', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetchRaw(url, '/', { method })
      expect(res.status).toBe(405)
      expect(res.headers['allow']).toBe('GET, HEAD')
      expect(res.headers['content-security-policy']).toBe(SECURITY_HEADERS['Content-Security-Policy'])
    }
  })

  it('serves blobs by hash, immutable, and 404 for unknown or malformed hashes', async () => {
    const hash = await store.putBlob(new Uint8Array([9, 8, 7]))
    const res = await fetchRaw(url, `/blobs/${hash}`)
    expect(res.status).toBe(200)
    expect([...res.body]).toEqual([9, 8, 7])
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect((await fetchRaw(url, `/blobs/${'0'.repeat(64)}`)).status).toBe(404)
    expect((await fetchRaw(url, '/blobs/..%2f..%2fkeys')).status).toBe(404)
  })

  it('answers healthz and the well-known document as JSON', async () => {
    const health = await fetchRaw(url, '/healthz')
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'ok', uptimeSeconds: 1, peers: 0, worlds: 0 })
    expect(JSON.parse((await fetchRaw(url, '/.well-known/peercompute.json')).body.toString())).toEqual(WELL_KNOWN)
    expect((await fetchRaw(url, '/api/worlds/none/manifest')).status).toBe(404)
  })
})

describe('rootRequestHandler without a built client', () => {
  it('answers / with 503 and tells the user to build', async () => {
    const dir = await tempDir()
    const { server, url } = await serve(join(dir.path, 'no-client'), join(dir.path, 'data'), [])
    try {
      const res = await fetchRaw(url, '/')
      expect(res.status).toBe(503)
      expect(res.body.toString()).toContain('npm run build')
      expect((await fetchRaw(url, '/healthz')).status).toBe(200)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await dir.cleanup()
    }
  })
})
