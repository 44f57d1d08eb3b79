import { describe, expect, it } from 'vitest'
import { CliUsageError, parseCliOptions } from '../src/cliOptions.js'

describe('parseCliOptions', () => {
  it('reads flags', () => {
    const o = parseCliOptions(['--port', '9000', '--p2p-port', '9100', '--data', '/tmp/d', '--host', '127.0.0.1', '--public-host', 'example.org', '--verbose'], {})
    expect(o).toEqual({ help: false, init: { port: 9000, p2pPort: 9100, dataDir: '/tmp/d', host: '127.0.0.1', publicHost: 'example.org', verbose: true } })
  })

  it('reads env, and flags win over env', () => {
    const env = { PEERCOMPUTE_PORT: '7000', PEERCOMPUTE_DATA: '/srv/data', PEERCOMPUTE_PUBLIC_HOST: 'a.example' }
    expect(parseCliOptions([], env)).toEqual({ help: false, init: { port: 7000, dataDir: '/srv/data', publicHost: 'a.example', verbose: false } })
    expect(parseCliOptions(['--port', '7001'], env)).toMatchObject({ init: { port: 7001 } })
  })

  it('reads the announced p2p port for a proxy in front, and treats an empty one as unset', () => {
    expect(parseCliOptions(['--public-p2p-port', '443'], {})).toMatchObject({ init: { publicP2pPort: 443 } })
    expect(parseCliOptions([], { PEERCOMPUTE_PUBLIC_P2P_PORT: '443' })).toMatchObject({ init: { publicP2pPort: 443 } })
    expect(parseCliOptions([], { PEERCOMPUTE_PUBLIC_P2P_PORT: '' })).toEqual({ help: false, init: { verbose: false } })
    expect(() => parseCliOptions([], { PEERCOMPUTE_PUBLIC_P2P_PORT: 'https' })).toThrow(/PEERCOMPUTE_PUBLIC_P2P_PORT/)
  })

  it('leaves defaults to startRoot', () => {
    expect(parseCliOptions([], {})).toEqual({ help: false, init: { verbose: false } })
  })

  it('answers --help', () => {
    expect(parseCliOptions(['--help'], {})).toEqual({ help: true })
  })

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--port', '-1']],
    [['--bogus']],
    [['extra']],
    [['--port', '9000', '--p2p-port', '9000']],
  ])('refuses %j with one plain line', (argv) => {
    expect(() => parseCliOptions(argv, {})).toThrow(CliUsageError)
    try {
      parseCliOptions(argv, {})
    } catch (err) {
      expect((err as Error).message).not.toContain('\n')
    }
  })

  it('names the env variable in its error', () => {
    expect(() => parseCliOptions([], { PEERCOMPUTE_P2P_PORT: 'x' })).toThrow(/PEERCOMPUTE_P2P_PORT/)
  })
})
