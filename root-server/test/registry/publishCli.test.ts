import { execFile } from 'node:child_process'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRoot } from '../../src/startRoot.js'
import type { RootServer } from '../../src/startRoot.js'
import { tempDir, writeClientBuild, writeOverworldBuild } from '../fixtures.js'

const BIN = fileURLToPath(new URL('../../../world-sdk/bin/peercompute.js', import.meta.url))
const MEADOW = fileURLToPath(new URL('../../../content/worlds/meadow', import.meta.url))
const run = promisify(execFile)

/** Runs the real `peercompute` binary; never throws, returns exit code and output. */
async function peercompute(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, timeout: 30_000 })
    return { code: 0, out: stdout, err: stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof err.code === 'number' ? err.code : -1, out: err.stdout ?? '', err: err.stderr ?? '' }
  }
}

describe('peercompute command line against a real root', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let root: RootServer
  let cwd: string

  beforeAll(async () => {
    dir = await tempDir('pc-cli-')
    cwd = dir.path
    await writeClientBuild(join(cwd, 'client'))
    await writeOverworldBuild(join(cwd, 'content'))
    root = await startRoot({
      port: 0, host: '127.0.0.1', publicHost: '127.0.0.1', dataDir: join(cwd, 'data'),
      clientDir: join(cwd, 'client'), contentBundlesDir: join(cwd, 'content'),
    })
  })
  afterAll(async () => {
    await root.stop()
    await dir.cleanup()
  })

  it('init -> keygen -> build -> sign -> verify -> publish -> worlds', async () => {
    const rootUrl = root.url.replace(/\/$/, '')
    const ca = { PEERCOMPUTE_CA: join(root.dataDir, 'tls', 'cert.pem') }
    expect((await peercompute(cwd, ['init', 'garden'])).code).toBe(0)
    const keygen = await peercompute(cwd, ['keygen', '--out', 'me.jwk'])
    expect(keygen.code).toBe(0)
    expect((await stat(join(cwd, 'me.jwk'))).mode & 0o777).toBe(0o600)
    const thumbprint = /Thumbprint: (\S+)/.exec(keygen.out)?.[1]

    const build = await peercompute(cwd, ['build', 'garden', '--out', 'garden.pcb'])
    expect(build.code).toBe(0)
    expect(build.out).toMatch(/Built garden 0\.1\.0: 4 files/)
    expect(build.err).toMatch(/Reading: 100%/) // not a TTY: plain progress lines

    expect((await peercompute(cwd, ['sign', 'garden.pcb', '--key', 'me.jwk'])).code).toBe(0)
    const verify = await peercompute(cwd, ['verify', 'garden.pcb', '--root', rootUrl], ca)
    expect(verify).toMatchObject({ code: 0, err: '' })
    expect(verify.out).toMatch(new RegExp(`^OK: garden 0\\.1\\.0 signed by ${thumbprint}.*does not serve "garden" yet`))

    const publish = await peercompute(cwd, ['publish', 'garden.pcb', '--root', rootUrl, '--key', 'me.jwk'], ca)
    expect(publish.code).toBe(0)
    expect(publish.out.trim().split('\n').at(-1)).toBe(`${rootUrl}/?world=garden`)
    expect(publish.err).toMatch(/Uploading garden 0\.1\.0: 100%/)

    // The example world in content/ goes through the same command line (publish signs an unsigned build).
    expect((await peercompute(cwd, ['build', MEADOW, '--out', 'meadow.pcb'])).code).toBe(0)
    const meadow = await peercompute(cwd, ['publish', 'meadow.pcb', '--root', rootUrl, '--key', 'me.jwk', '--insecure'])
    expect(meadow.out.trim().split('\n').at(-1)).toBe(`${rootUrl}/?world=meadow`)

    const worlds = await peercompute(cwd, ['worlds', '--root', rootUrl, '--insecure'])
    expect(worlds.code).toBe(0)
    expect(worlds.out).toMatch(/^ID +VERSION +NAME +PARENT +PUBLISHER\n/)
    expect(worlds.out).toMatch(new RegExp(`garden +0\\.1\\.0 +Garden +overworld +${thumbprint}`))
    expect(worlds.out).toMatch(/overworld +1\.0\.0 +Overworld +- /)
    expect(worlds.out).toMatch(/^meadow +1\.0\.0 +Meadow +overworld /m)
    expect(worlds.out).toMatch(/3 worlds on /)

    const again = await peercompute(cwd, ['verify', 'garden.pcb', '--root', rootUrl, '--insecure'])
    expect(again.out).toMatch(/It is the version .* serves, countersigned by the root\./)
  })

  it('fails with one plain line and a non-zero exit', async () => {
    const rootUrl = root.url.replace(/\/$/, '')
    const republish = await peercompute(cwd, ['publish', 'garden.pcb', '--root', rootUrl, '--key', 'me.jwk', '--insecure'])
    expect(republish.code).toBe(1)
    expect(republish.err.trim().split('\n').at(-1)).toMatch(/^peercompute publish: The root refused the bundle \(HTTP 409\): Version 0\.1\.0 of "garden" is not higher/)

    const untrusted = await peercompute(cwd, ['worlds', '--root', rootUrl])
    expect(untrusted.code).toBe(1)
    expect(untrusted.err).toMatch(/^peercompute worlds: The certificate of .* is not trusted .*PEERCOMPUTE_CA.*--insecure.*\n$/)

    const bytes = await readFile(join(cwd, 'garden.pcb'))
    bytes[bytes.length - 3] ^= 1 // inside the last file (world.json)
    await writeFile(join(cwd, 'tampered.pcb'), bytes)
    const tampered = await peercompute(cwd, ['verify', 'tampered.pcb'])
    expect(tampered.code).toBe(1)
    expect(tampered.out).toBe('')
    expect(tampered.err).toMatch(/^peercompute verify: The garden bundle's file world\.json does not match its signed hash[^\n]*\n$/)

    const usage = await peercompute(cwd, ['publish', 'garden.pcb'])
    expect(usage.code).toBe(2)
    expect(usage.err).toBe('peercompute publish: --root is required. Run "peercompute publish --help".\n')
  })
})
