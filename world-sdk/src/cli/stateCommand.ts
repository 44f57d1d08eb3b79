import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Command } from './command.js'
import { CliError, optionalString, requireOption } from './command.js'

/** What `peercompute state` uses of @peercompute/root-server's persistence (its data folder format). */
interface StateReader {
  readWorldState(dataDir: string, world: string): {
    tornBytes: number
    badSnapshot: boolean
    versions: { version: string; lamport: number; time: number; peer: string; ops: number }[]
    stateAt(version?: string): { version: string; entities: { id: string; parent: string | null; name: string | null; owner: string | null; transform: { position: number[] } | null; prop: { shape: string } | null }[]; chat: { name: string; time: number; text: string }[]; settings: Record<string, unknown> }
    close(): void
  }
}

/** Finds root-server's compiled persistence module from this file's folder upwards (as `peercompute root` finds its CLI). */
async function loadReader(): Promise<StateReader> {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'node_modules', '@peercompute', 'root-server', 'dist', 'persistence', 'index.js')
    if (existsSync(candidate)) return (await import(pathToFileURL(candidate).href)) as StateReader
    const parent = dirname(dir)
    if (parent === dir) {
      throw new CliError('Reading world state needs @peercompute/root-server (it owns the data folder format). Install it next to @peercompute/world-sdk, or in the PeerCompute repo run "npm run build".')
    }
    dir = parent
  }
}

/** `peercompute state history|show <world> --data <dir> [--at <version>]`: a root's stored world state, read-only. */
export const stateCommand: Command = {
  name: 'state',
  summary: "Show a world's stored versions (history) or its state at a version (show), from a root's data folder.",
  args: ['history|show', 'world'],
  options: {
    data: { type: 'string', short: 'd', value: 'dir', description: "the root's data folder, e.g. ./.data (required)" },
    at: { type: 'string', value: 'version', description: 'show: the version to read, as "state history" prints it (default: the latest)' },
    json: { type: 'boolean', description: 'print JSON instead of text' },
  },
  details: `Reads <data>/state/<world>/snapshot and log without changing them (safe while the root runs).
Examples:
  peercompute state history overworld --data .data
  peercompute state show overworld --data .data --at 41@1234567890`,
  async run(args) {
    const [action, world] = args.positionals as [string, string]
    if (action !== 'history' && action !== 'show') throw new CliError(`Unknown action "${action}": use "history" or "show". Run "peercompute state --help".`, 2)
    const dataDir = requireOption(stateCommand, args, 'data')
    const json = args.values['json'] === true
    const reader = await loadReader()
    let stored
    try {
      stored = reader.readWorldState(dataDir, world)
    } catch (err) {
      throw new CliError((err as Error).message)
    }
    try {
      if (stored.tornBytes > 0) console.error(`note: the log ends in ${stored.tornBytes} bytes of a torn write (a crash, or a write in progress); they are ignored.`)
      if (stored.badSnapshot) console.error('warning: the snapshot file fails its checksum and is ignored; the state shown may be incomplete.')
      if (action === 'history') {
        if (json) return console.log(JSON.stringify(stored.versions, null, 2))
        for (const v of stored.versions) console.log(`${v.version}  ${v.time > 0 ? new Date(v.time).toISOString() : '-'}  lamport ${v.lamport}  ${v.ops} ops by ${v.peer}`)
        console.log(`${stored.versions.length} version${stored.versions.length === 1 ? '' : 's'} of ${world}`)
        return
      }
      let state
      try {
        state = stored.stateAt(optionalString(args, 'at'))
      } catch (err) {
        throw new CliError((err as Error).message)
      }
      if (json) return console.log(JSON.stringify(state, null, 2))
      console.log(`${world} at ${state.version || '(empty)'}`)
      console.log(`settings: ${JSON.stringify(state.settings)}`)
      console.log(`${state.entities.length} entities:`)
      for (const e of state.entities) {
        console.log(`  ${e.id}${e.parent == null ? '' : ` (in ${e.parent})`}  ${e.name ?? e.prop?.shape ?? 'entity'}  at ${JSON.stringify(e.transform?.position ?? null)}  by ${e.owner ?? '?'}`)
      }
      console.log(`${state.chat.length} chat lines:`)
      for (const m of state.chat) console.log(`  [${new Date(m.time).toISOString()}] ${m.name}: ${m.text}`)
    } finally {
      stored.close()
    }
  },
}
