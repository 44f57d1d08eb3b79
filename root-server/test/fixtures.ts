import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentBundlesDir } from '@peercompute/content'
import { buildManifest } from '@peercompute/signing'
import { startRoot } from '../src/startRoot.js'
import type { RootServer, RootServerInit } from '../src/startRoot.js'

/** A fresh temp folder; `cleanup()` removes it. */
export async function tempDir(prefix = 'pc-root-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) }
}

// A valid WorldDefinition: the real overworld's, as @peercompute/content builds it.
const REAL_WORLD = join(contentBundlesDir(), 'overworld', 'world.json')

/**
 * Writes a bundle build output like @peercompute/content's (files + manifest.unsigned.json with
 * publisher '') under `<bundlesDir>/overworld`.
 */
export async function writeOverworldBuild(bundlesDir: string, version = '1.0.0', world?: string): Promise<void> {
  const dir = join(bundlesDir, 'overworld')
  await mkdir(join(dir, 'assets'), { recursive: true })
  const files = [
    { path: 'world.json', bytes: world === undefined ? await readFile(REAL_WORLD) : new TextEncoder().encode(world) },
    { path: 'assets/rock.bin', bytes: new Uint8Array([1, 2, 3, 4, 5]) },
  ]
  for (const f of files) await writeFile(join(dir, f.path), f.bytes)
  const manifest = await buildManifest({
    id: 'overworld', name: 'Overworld', version, parent: null, entry: 'world.json',
    rules: { movement: { walkSpeed: 4 } }, publisher: '', files,
  })
  await writeFile(join(dir, 'manifest.unsigned.json'), JSON.stringify(manifest, null, 2))
}

/** Writes a minimal built client: index.html, a hashed asset, a wasm file, and a secret one level up. */
export async function writeClientBuild(clientDir: string): Promise<void> {
  await mkdir(join(clientDir, 'assets'), { recursive: true })
  await writeFile(join(clientDir, 'index.html'), '<!doctype html><title>PeerCompute</title>')
  await writeFile(join(clientDir, 'assets', 'index-abc123.js'), 'console.log(1)')
  await writeFile(join(clientDir, 'assets', 'havok-abc123.wasm'), new Uint8Array([0, 97, 115, 109]))
  await writeFile(join(clientDir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
}

/** An HTTPS answer read whole. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** Sends one HTTPS request with `path` exactly as given (no normalising), trusting any certificate. */
export function fetchRaw(url: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path, method: init.method ?? 'GET', headers: init.headers ?? {}, rejectUnauthorized: false, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/**
 * Starts a root on 127.0.0.1, port 0, in `dir`: a stand-in client build and overworld bundle
 * written there, data in `<dir>/data`; `options` adds to or overrides those.
 */
export async function startTestRoot(dir: string, options: Partial<RootServerInit> = {}): Promise<RootServer> {
  await writeClientBuild(join(dir, 'client'))
  await writeOverworldBuild(join(dir, 'content'))
  return startRoot({
    port: 0, host: '127.0.0.1', publicHost: '127.0.0.1', dataDir: join(dir, 'data'),
    clientDir: join(dir, 'client'), contentBundlesDir: join(dir, 'content'),
    ...options,
  })
}
