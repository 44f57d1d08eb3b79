import { BundleError } from '@peercompute/signing'
import { buildCommand } from './commands/build.js'
import { initCommand } from './commands/init.js'
import { keygenCommand } from './commands/keygen.js'
import { publishCommand } from './commands/publish.js'
import { runRoot } from './commands/root.js'
import { signCommand } from './commands/sign.js'
import { verifyCommand } from './commands/verify.js'
import { worldsCommand } from './commands/worlds.js'
import { stateCommand } from './stateCommand.js'
import { hostCommand } from './hostCommand.js'
import type { Command } from './command.js'
import { CliError, commandHelp, parseCommandArgs } from './command.js'

const COMMANDS: Command[] = [initCommand, keygenCommand, buildCommand, signCommand, verifyCommand, publishCommand, worldsCommand, stateCommand, hostCommand]

/** The top-level `--help`. */
export function mainHelp(): string {
  const rows: [string, string][] = [
    ...COMMANDS.map((c) => [c.name, c.summary] as [string, string]),
    ['root', 'Run a root node (HTTPS, registry, libp2p). Needs @peercompute/root-server.'],
  ]
  const width = Math.max(...rows.map(([n]) => n.length))
  return [
    'Usage: peercompute <command> [options]',
    '',
    'Build, sign and publish PeerCompute worlds, or run a root.',
    '',
    'Commands:',
    ...rows.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`),
    '',
    'A world in four steps:',
    '  peercompute init my-world && peercompute keygen --out ~/.peercompute/me.jwk',
    '  peercompute build my-world --out my-world.pcb',
    '  peercompute sign my-world.pcb --key ~/.peercompute/me.jwk',
    '  peercompute publish my-world.pcb --root https://localhost:8443 --key ~/.peercompute/me.jwk',
    '',
    'Run "peercompute <command> --help" for its options.',
  ].join('\n')
}

/** Runs the command line on `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(mainHelp())
    return 0
  }
  if (name === '--version' || name === '-v') {
    console.log('peercompute 0.1.0')
    return 0
  }
  if (name === 'root') return runRoot(rest).then(() => 0, (err: unknown) => report('root', err))
  const cmd = COMMANDS.find((c) => c.name === name)
  if (cmd === undefined) {
    console.error(`peercompute: unknown command "${name}". Run "peercompute --help" for the list.`)
    return 2
  }
  try {
    const args = parseCommandArgs(cmd, rest)
    if (args === null) {
      console.log(commandHelp(cmd))
      return 0
    }
    await cmd.run(args)
    return 0
  } catch (err) {
    return report(cmd.name, err)
  }
}

function report(command: string, err: unknown): number {
  if (err instanceof CliError) {
    console.error(`peercompute ${command}: ${err.message}`)
    return err.exitCode
  }
  if (err instanceof BundleError) {
    console.error(`peercompute ${command}: ${err.message}`)
    return 1
  }
  console.error(`peercompute ${command}: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
  return 1
}
