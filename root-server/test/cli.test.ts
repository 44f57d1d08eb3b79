import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from './fixtures.js'

// The command line as users run it: the compiled dist/cli.js (npm test builds first).
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function runCli(args: string[], env: Record<string, string>, onStdout?: (text: string, kill: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
      onStdout?.(stdout, () => child.kill('SIGTERM'))
    })
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

describe('peercompute-root command line', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
  })
  afterAll(() => dir.cleanup())

  it('prints usage for --help', async () => {
    const run = await runCli(['--help'], {})
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('--public-host')
  })

  it.each([[['--port', 'abc']], [['--nope']]])('refuses %j with one line and status 2', async (args) => {
    const run = await runCli(args, {})
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('starts on free ports from env, then stops cleanly on SIGTERM', async () => {
    let asked = false
    const run = await runCli([], { PEERCOMPUTE_PORT: '0', PEERCOMPUTE_HOST: '127.0.0.1', PEERCOMPUTE_DATA: dir.path }, (out, kill) => {
      if (!asked && out.includes('Press Ctrl+C')) {
        asked = true
        kill()
      }
    })
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('PeerCompute root is running.')
    expect(run.stdout).toMatch(/Open https:\/\/localhost:\d+\/ in a browser/)
    expect(run.code).toBe(0)
  })
})
