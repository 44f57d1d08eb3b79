import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Against a real root (same output for --root and --data, its refusals): root-server/test/http/worldStateRoutes.test.ts.
const BIN = fileURLToPath(new URL('../../bin/peercompute.js', import.meta.url))
const run = promisify(execFile)

/** Runs the real binary (world-sdk must be built: npx tsc -b world-sdk). */
async function peercompute(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 30_000 })
    return { code: 0, out: stdout, err: stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof err.code === 'number' ? err.code : -1, out: err.stdout ?? '', err: err.stderr ?? '' }
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return `http://127.0.0.1:${address.port}`
}

describe('peercompute state (command line checks)', () => {
  let dir: string
  // A web server that is not a root: it answers every path with a page, as a static site would.
  const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>hi</title>'))
  let siteUrl = ''
  // A port where nothing listens: bound, then closed.
  let closedUrl = ''

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pc-state-cli-'))
    siteUrl = await listen(site)
    const closed = createServer()
    closedUrl = await listen(closed)
    await new Promise((resolve) => closed.close(resolve))
  })
  afterAll(async () => {
    await new Promise((resolve) => site.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })

  it('documents both sources in --help, with examples', async () => {
    const help = await peercompute('state', '--help')
    expect(help.code).toBe(0)
    expect(help.out).toMatch(/^ {2}-d, --data <dir> +the root's data folder, e\.g\. \.\/\.data \(this or --root\)$/m)
    expect(help.out).toMatch(/^ {2}-r, --root <url> +a running root, e\.g\. https:\/\/localhost:8443 \(this or --data\)$/m)
    expect(help.out).toMatch(/^ {2}peercompute state history overworld --root https:\/\/localhost:8443$/m)
    expect(help.out).toContain('GET /api/worlds/<world>/state?at=<version>')
    expect(help.out).toContain('PEERCOMPUTE_CA')
  })

  it.each([
    [['state', 'history', 'overworld'], /^peercompute state: Give exactly one of --data <dir> \(a root's data folder\) and --root <url> \(a running root\)\. Run/],
    [['state', 'history', 'overworld', '--data', '.data', '--root', 'https://localhost:8443'], /exactly one of --data <dir>.*, not both\./],
    [['state', 'show', 'overworld', '--data', '.data', '--insecure'], /--insecure applies to --root only/],
    [['state', 'history', 'overworld', '--root', 'localhost:8443'], /--root must be an https:\/\/ URL, got "localhost:8443"/],
    [['state', 'undo', 'overworld', '--root', 'https://localhost:8443'], /Unknown action "undo": use "history" or "show"/],
  ])('refuses %j with exit code 2 and one line', async (args, message) => {
    const res = await peercompute(...args)
    expect(res.code).toBe(2)
    expect(res.err).toMatch(message)
    expect(res.err.trim().split('\n')).toHaveLength(1)
    expect(res.out).toBe('')
  })

  it('says when nothing answers at --root', async () => {
    const res = await peercompute('state', 'history', 'overworld', '--root', closedUrl)
    expect(res.code).toBe(1)
    expect(res.err).toBe(`peercompute state: Nothing answers at ${closedUrl}. Is the root running (peercompute root)?\n`)
  })

  it('says when --root is a web server but not a root that serves state', async () => {
    const res = await peercompute('state', 'show', 'overworld', '--root', siteUrl)
    expect(res.code).toBe(1)
    expect(res.err).toBe(`peercompute state: ${siteUrl} answered HTTP 200 without JSON to a request for stored state: it is not a PeerCompute root, or one too old to serve it (read its data folder with --data instead).\n`)
  })

  it('says when --data holds no state for the world', async () => {
    const res = await peercompute('state', 'history', 'overworld', '--data', dir)
    expect(res.code).toBe(1)
    expect(res.err).toMatch(/^peercompute state: No state for world "overworld" in .*Check --data and the world id\.\n$/)
  })
})
