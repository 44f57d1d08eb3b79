import { z } from 'zod'
import type { Command } from '../command.js'
import { CliError, TLS_DETAILS, TLS_OPTIONS, requireOption } from '../command.js'
import { answerJson, rootConnection, rootRequest } from '../rootConnection.js'

const listSchema = z.object({
  worlds: z.array(z.object({ id: z.string(), name: z.string(), version: z.string(), publisher: z.string(), parent: z.string().nullable() })),
})

/** `peercompute worlds --root <url>`: the worlds a root serves. */
export const worldsCommand: Command = {
  name: 'worlds',
  summary: 'List the worlds a root serves: id, version, name, parent and publisher.',
  args: [],
  options: {
    root: { type: 'string', short: 'r', value: 'url', description: 'the root, e.g. https://localhost:8443 (required)' },
    json: { type: 'boolean', description: "print the root's JSON answer instead of a table" },
    ...TLS_OPTIONS,
  },
  details: TLS_DETAILS,
  async run(args) {
    const conn = rootConnection(requireOption(worldsCommand, args, 'root'), args.values['insecure'] === true)
    const answer = await rootRequest(conn, '/api/worlds')
    const body = answerJson(conn, answer)
    const list = listSchema.safeParse(body)
    if (answer.status !== 200 || !list.success) {
      throw new CliError(`${conn.base.origin} did not list its worlds (HTTP ${answer.status}): is it a PeerCompute root with a registry?`)
    }
    if (args.values['json'] === true) {
      console.log(JSON.stringify(body, null, 2))
      return
    }
    const rows = [['ID', 'VERSION', 'NAME', 'PARENT', 'PUBLISHER'], ...list.data.worlds.map((w) => [w.id, w.version, w.name, w.parent ?? '-', w.publisher])]
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    for (const row of rows) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    console.log(`${list.data.worlds.length} world${list.data.worlds.length === 1 ? '' : 's'} on ${conn.base.origin}`)
  },
}
