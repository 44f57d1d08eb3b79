import { parseArgs } from 'node:util'
import type { RootServerInit } from './startRoot.js'

/** The command line's usage text. */
export const USAGE = `Usage: peercompute-root [options]

Runs a PeerCompute root: the web client over HTTPS and the root's libp2p node.

Options:
  --port <n>           HTTPS port (default 8443; env PEERCOMPUTE_PORT)
  --p2p-port <n>       libp2p secure WebSocket port (default port + 1; env PEERCOMPUTE_P2P_PORT)
  --public-p2p-port <n> p2p port browsers dial, when a proxy in front listens on another one
                       (default the p2p port; env PEERCOMPUTE_PUBLIC_P2P_PORT)
  --data <dir>         data folder (default ./.data; env PEERCOMPUTE_DATA)
  --host <ip>          address to listen on (default 0.0.0.0; env PEERCOMPUTE_HOST)
  --public-host <name> host name browsers use, put in URLs and multiaddrs
                       (default localhost; env PEERCOMPUTE_PUBLIC_HOST)
  --verbose            log every HTTP request
  --help               show this help
Flags win over environment variables.`

/** A command line that cannot be used; its message is one plain line for the user. */
export class CliUsageError extends Error {
  override name = 'CliUsageError'
}

/** What the command line asked for. */
export type CliOptions = { help: true } | { help: false; init: RootServerInit & { verbose: boolean } }

function parsePort(value: string, what: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new CliUsageError(`${what} must be a port number from 0 to 65535, got "${value}". See --help.`)
  }
  return Number(value)
}

function nonEmpty(value: string, what: string): string {
  if (value.trim() === '') throw new CliUsageError(`${what} must not be empty. See --help.`)
  return value
}

/** Parses flags and PEERCOMPUTE_* environment variables (flags win); throws {@link CliUsageError}. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'p2p-port': { type: 'string' },
        'public-p2p-port': { type: 'string' },
        data: { type: 'string' },
        host: { type: 'string' },
        'public-host': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }))
  } catch (err) {
    throw new CliUsageError(`${(err as Error).message.split('\n')[0]} See --help.`)
  }
  if (values.help === true) return { help: true }
  const init: RootServerInit & { verbose: boolean } = { verbose: values.verbose === true }
  const port = values.port ?? env['PEERCOMPUTE_PORT']
  if (port !== undefined) init.port = parsePort(port, values.port !== undefined ? '--port' : 'PEERCOMPUTE_PORT')
  const p2pPort = values['p2p-port'] ?? env['PEERCOMPUTE_P2P_PORT']
  if (p2pPort !== undefined) {
    init.p2pPort = parsePort(p2pPort, values['p2p-port'] !== undefined ? '--p2p-port' : 'PEERCOMPUTE_P2P_PORT')
  }
  // Empty means unset: compose passes the variable through even when .env leaves it out.
  const publicP2pPort = values['public-p2p-port'] ?? (env['PEERCOMPUTE_PUBLIC_P2P_PORT'] || undefined)
  if (publicP2pPort !== undefined) {
    init.publicP2pPort = parsePort(publicP2pPort, values['public-p2p-port'] !== undefined ? '--public-p2p-port' : 'PEERCOMPUTE_PUBLIC_P2P_PORT')
  }
  const data = values.data ?? env['PEERCOMPUTE_DATA']
  if (data !== undefined) init.dataDir = nonEmpty(data, '--data')
  const host = values.host ?? env['PEERCOMPUTE_HOST']
  if (host !== undefined) init.host = nonEmpty(host, '--host')
  const publicHost = values['public-host'] ?? env['PEERCOMPUTE_PUBLIC_HOST']
  if (publicHost !== undefined) init.publicHost = nonEmpty(publicHost, '--public-host')
  if (init.port !== undefined && init.port === init.p2pPort && init.port !== 0) {
    throw new CliUsageError(`--port and --p2p-port must differ (both are ${init.port}). See --help.`)
  }
  return { help: false, init }
}
