import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CliError } from '../command.js'

/** Finds node_modules/@peercompute/root-server/dist/cli.js from this file's folder upwards. */
function findRootCli(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'node_modules', '@peercompute', 'root-server', 'dist', 'cli.js')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

/** `peercompute root …`: hands its arguments to @peercompute/root-server's command line. */
export async function runRoot(rest: string[]): Promise<void> {
  const cli = findRootCli()
  if (cli === null) {
    throw new CliError(
      'The root server is not installed or not built. Install @peercompute/root-server next to ' +
        '@peercompute/world-sdk, or in the PeerCompute repo run "npm run build".',
    )
  }
  // The root's CLI reads process.argv: show it its own arguments.
  process.argv = [process.argv[0] ?? 'node', cli, ...rest]
  await import(pathToFileURL(cli).href)
}
