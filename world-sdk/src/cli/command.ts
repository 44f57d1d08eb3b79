import { parseArgs } from 'node:util'

/** A failure to show as one plain line; `exitCode` 2 means the command line was wrong. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/** One option of a command, as parseArgs takes it plus what --help says. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Shown after the flag in help: `--out <file>`. */
  value?: string
  description: string
}

/** Parsed arguments handed to a command. */
export interface CommandArgs {
  positionals: string[]
  values: Record<string, string | boolean | undefined>
}

/** A `peercompute` subcommand. */
export interface Command {
  name: string
  /** One line for the command list. */
  summary: string
  /** Positional arguments, in order; a trailing `?` marks an optional one. */
  args: string[]
  options: Record<string, OptionSpec>
  /** Paragraphs after the options in `--help`. */
  details?: string
  run(args: CommandArgs): Promise<void>
}

/** The options every command that talks to a root shares. */
export const TLS_OPTIONS: Record<string, OptionSpec> = {
  insecure: { type: 'boolean', description: "accept the root's certificate without checking it (self-signed test roots)" },
}

/** Help text explaining how to trust a self-signed root. */
export const TLS_DETAILS = `A root with a self-signed certificate (such as "npm start" makes) is refused unless you either
set PEERCOMPUTE_CA to its certificate file (e.g. PEERCOMPUTE_CA=.data/tls/cert.pem), which
keeps the connection checked, or pass --insecure, which checks nothing: use it only for tests.`

function flag(name: string, spec: OptionSpec): string {
  const short = spec.short === undefined ? '    ' : `-${spec.short}, `
  return `${short}--${name}${spec.value === undefined ? '' : ` <${spec.value}>`}`
}

/** `--help` of one command, with aligned options. */
export function commandHelp(cmd: Command): string {
  const args = cmd.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : `<${a}>`)).join(' ')
  const options = { ...cmd.options, help: { type: 'boolean', short: 'h', description: 'show this help' } as OptionSpec }
  const flags = Object.entries(options).map(([name, spec]) => [flag(name, spec), spec.description] as const)
  const width = Math.max(...flags.map(([f]) => f.length))
  const lines = [`Usage: peercompute ${cmd.name}${args === '' ? '' : ` ${args}`} [options]`, '', cmd.summary, '', 'Options:']
  for (const [f, d] of flags) lines.push(`  ${f.padEnd(width)}  ${d}`)
  if (cmd.details !== undefined) lines.push('', cmd.details)
  return lines.join('\n')
}

/** Parses `argv` for `cmd` (strict), or throws a {@link CliError} with exit code 2. Null means --help was asked. */
export function parseCommandArgs(cmd: Command, argv: string[]): CommandArgs | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } }
  for (const [name, spec] of Object.entries(cmd.options)) {
    options[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short }
  }
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true })
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} Run "peercompute ${cmd.name} --help".`, 2)
  }
  if (parsed.values['help'] === true) return null
  const required = cmd.args.filter((a) => !a.endsWith('?'))
  if (parsed.positionals.length < required.length) {
    throw new CliError(`Missing <${required[parsed.positionals.length]}>. Run "peercompute ${cmd.name} --help".`, 2)
  }
  if (parsed.positionals.length > cmd.args.length) {
    throw new CliError(`Unexpected argument "${parsed.positionals[cmd.args.length]}". Run "peercompute ${cmd.name} --help".`, 2)
  }
  return { positionals: parsed.positionals, values: parsed.values }
}

/** The string value of option `name`, or a {@link CliError} saying it is required. */
export function requireOption(cmd: Command, args: CommandArgs, name: string): string {
  const v = args.values[name]
  if (typeof v !== 'string' || v === '') {
    throw new CliError(`--${name} is required. Run "peercompute ${cmd.name} --help".`, 2)
  }
  return v
}

/** The string value of option `name`, or undefined. */
export function optionalString(args: CommandArgs, name: string): string | undefined {
  const v = args.values[name]
  return typeof v === 'string' ? v : undefined
}
