import type { Command, CommandArgs } from './command.js'
import { CliError, TLS_DETAILS, TLS_OPTIONS, optionalString } from './command.js'
import { rootConnection } from './rootConnection.js'
import { worldStateFromFolder } from './worldStateFromFolder.js'
import { worldStateFromRoot } from './worldStateFromRoot.js'
import type { StorageNotes, WorldStateSource } from './worldStateSource.js'

/** `peercompute state history|show <world> (--data <dir> | --root <url>) [--at <version>]`: a root's stored world state, read-only. */
export const stateCommand: Command = {
  name: 'state',
  summary: "Show a world's stored versions (history) or its state at a version (show), from a root's data folder or URL.",
  args: ['history|show', 'world'],
  options: {
    data: { type: 'string', short: 'd', value: 'dir', description: "the root's data folder, e.g. ./.data (this or --root)" },
    root: { type: 'string', short: 'r', value: 'url', description: 'a running root, e.g. https://localhost:8443 (this or --data)' },
    at: { type: 'string', value: 'version', description: 'show: the version to read, as "state history" prints it (default: the latest)' },
    json: { type: 'boolean', description: 'print JSON instead of text' },
    ...TLS_OPTIONS,
  },
  details: `With --data, reads <data>/state/<world>/snapshot and log without changing them (safe while
the root runs). With --root, asks the root for the same (GET /api/worlds/<world>/state/history and
GET /api/worlds/<world>/state?at=<version>, fetched page by page); the output is the same.
Examples:
  peercompute state history overworld --data .data
  peercompute state show overworld --data .data --at 41@1234567890
  peercompute state history overworld --root https://localhost:8443
  PEERCOMPUTE_CA=.data/tls/cert.pem peercompute state show overworld --root https://localhost:8443 --at 41@1234567890

${TLS_DETAILS}`,
  async run(args) {
    const [action, world] = args.positionals as [string, string]
    if (action !== 'history' && action !== 'show') throw new CliError(`Unknown action "${action}": use "history" or "show". Run "peercompute state --help".`, 2)
    const source = stateSource(args)
    const json = args.values['json'] === true
    if (action === 'history') {
      const { versions, ...notes } = await source.history(world)
      printNotes(notes)
      if (json) return console.log(JSON.stringify(versions, null, 2))
      for (const v of versions) console.log(`${v.version}  ${v.time > 0 ? new Date(v.time).toISOString() : '-'}  lamport ${v.lamport}  ${v.ops} ops by ${v.peer}`)
      console.log(`${versions.length} version${versions.length === 1 ? '' : 's'} of ${world}`)
      return
    }
    const { state, ...notes } = await source.stateAt(world, optionalString(args, 'at'))
    printNotes(notes)
    if (json) return console.log(JSON.stringify(state, null, 2))
    console.log(`${world} at ${state.version || '(empty)'}`)
    console.log(`settings: ${JSON.stringify(state.settings)}`)
    console.log(`${state.entities.length} entities:`)
    for (const e of state.entities) {
      console.log(`  ${e.id}${e.parent == null ? '' : ` (in ${e.parent})`}  ${e.name ?? e.prop?.shape ?? 'entity'}  at ${JSON.stringify(e.transform?.position ?? null)}  by ${e.owner ?? '?'}`)
    }
    console.log(`${state.chat.length} chat lines:`)
    for (const m of state.chat) console.log(`  [${new Date(m.time).toISOString()}] ${m.name}: ${m.text}`)
  },
}

/** Exactly one of --data and --root says where the state is read from. */
function stateSource(args: CommandArgs): WorldStateSource {
  const data = optionalString(args, 'data')
  const root = optionalString(args, 'root')
  if ((data === undefined || data === '') === (root === undefined || root === '')) {
    throw new CliError(`Give exactly one of --data <dir> (a root's data folder) and --root <url> (a running root)${data !== undefined && root !== undefined ? ', not both' : ''}. Run "peercompute state --help".`, 2)
  }
  if (data !== undefined && data !== '') {
    if (args.values['insecure'] === true) throw new CliError('--insecure applies to --root only; a data folder is read directly.', 2)
    return worldStateFromFolder(data)
  }
  return worldStateFromRoot(rootConnection(root as string, args.values['insecure'] === true))
}

function printNotes(notes: StorageNotes): void {
  if (notes.tornBytes > 0) console.error(`note: the log ends in ${notes.tornBytes} bytes of a torn write (a crash, or a write in progress); they are ignored.`)
  if (notes.badSnapshot) console.error('warning: the snapshot file fails its checksum and is ignored; the state shown may be incomplete.')
}
