import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { decodeBundleFile } from '@peercompute/signing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/peercompute.js', import.meta.url))
const run = promisify(execFile)

/** Runs the real binary (world-sdk must be built: npx tsc -b world-sdk). */
async function peercompute(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, timeout: 30_000 })
    return { code: 0, out: stdout, err: stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof err.code === 'number' ? err.code : -1, out: err.stdout ?? '', err: err.stderr ?? '' }
  }
}

describe('peercompute (offline commands)', () => {
  let cwd: string
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'pc-cli-'))
  })
  afterAll(() => rm(cwd, { recursive: true, force: true }))

  it('prints aligned help for itself and every command', async () => {
    const top = await peercompute(cwd, '--help')
    expect(top.code).toBe(0)
    const commands = ['init', 'keygen', 'build', 'sign', 'verify', 'publish', 'worlds']
    for (const name of [...commands, 'root']) expect(top.out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'))
    for (const name of commands) {
      const help = await peercompute(cwd, name, '--help')
      expect(help.code).toBe(0)
      expect(help.out).toMatch(new RegExp(`^Usage: peercompute ${name}`))
      const options = help.out.split('Options:\n')[1]!.split('\n\n')[0]!.split('\n')
      const descriptions = options.map((l) => /^ +-.*? {2,}(?=\S)/.exec(l)?.[0].length)
      expect(new Set(descriptions).size).toBe(1) // every option's description starts in the same column
    }
    expect((await peercompute(cwd, 'publish', '--help')).out).toMatch(/PEERCOMPUTE_CA/)
  })

  it('makes a project that builds, signs and verifies as it is', async () => {
    expect((await peercompute(cwd, 'init', 'my-world')).code).toBe(0)
    expect(await readFile(join(cwd, 'my-world', 'bundle.json'), 'utf8')).toMatch(/"parent": "overworld"/)
    expect((await peercompute(cwd, 'keygen', '--out', 'key.jwk')).code).toBe(0)
    expect((await peercompute(cwd, 'keygen', '--out', 'key.jwk')).err).toMatch(/already exists/)
    expect((await peercompute(cwd, 'build', 'my-world')).out).toMatch(/-> my-world-0\.1\.0\.pcb/)
    const { header } = decodeBundleFile(new Uint8Array(await readFile(join(cwd, 'my-world-0.1.0.pcb'))))
    expect(header.entries.map((e) => e.path)).toEqual(['README.md', 'main.js', 'rules.json', 'world.json'])

    const unsigned = await peercompute(cwd, 'verify', 'my-world-0.1.0.pcb')
    expect(unsigned).toMatchObject({ code: 1, out: '' })
    expect(unsigned.err).toBe('peercompute verify: The bundle is not signed. Sign it with `peercompute sign <bundle> --key <file>`.\n')

    expect((await peercompute(cwd, 'sign', 'my-world-0.1.0.pcb', '--key', 'key.jwk')).code).toBe(0)
    const ok = await peercompute(cwd, 'verify', 'my-world-0.1.0.pcb')
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/^OK: my-world 0\.1\.0 signed by \S{43}, 4 files match, valid until /)
  })

  it('refuses to bundle a private key left in the project', async () => {
    await writeFile(join(cwd, 'my-world', 'oops.json'), await readFile(join(cwd, 'key.jwk')))
    const built = await peercompute(cwd, 'build', 'my-world')
    expect(built.code).toBe(1)
    expect(built.err).toMatch(/oops\.json looks like a private key/)
    await rm(join(cwd, 'my-world', 'oops.json'))
  })

  it('names a broken rule in one line', async () => {
    await writeFile(join(cwd, 'my-world', 'rules.json'), '{"movement":{"walkSpeed":"fast"}}')
    const built = await peercompute(cwd, 'build', 'my-world')
    expect(built.code).toBe(1)
    expect(built.err.trim().split('\n')).toHaveLength(1)
    expect(built.err).toMatch(/rules\.json: .*movement\.walkSpeed/)
  })

  it('answers a wrong command line with exit code 2', async () => {
    expect((await peercompute(cwd, 'frobnicate')).code).toBe(2)
    expect((await peercompute(cwd, 'build')).err).toBe('peercompute build: Missing <dir>. Run "peercompute build --help".\n')
    expect((await peercompute(cwd, 'sign', 'x.pcb', '--colour')).code).toBe(2)
  })
})
