import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { Command } from '../command.js'
import { CliError } from '../command.js'

function worldId(dir: string): string {
  const id = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63)
  return id.length >= 2 ? id : 'my-world'
}

function title(id: string): string {
  return id.split('-').filter((w) => w !== '').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ')
}

const WORLD = {
  terrain: { seed: 1, size: 128, resolution: 65, amplitude: 4 },
  spawn: [0, 1.8, 0],
  props: [
    { id: 'crate-1', shape: 'box', size: [1, 1, 1], position: [3, 0, 2], mass: 10, color: '#c8833a' },
    { id: 'ball-1', shape: 'sphere', size: [0.8, 0.8, 0.8], position: [-3, 0, 3], mass: 4, color: '#3a7bc8' },
  ],
  sky: { color: '#87ceeb' },
  fog: { color: '#dfe9f3', density: 0.004 },
}

const MAIN_JS = `// The world's script, run by its host in a sandbox (QuickJS in a worker) that sees only the
// world-sdk API: no DOM, no network, no storage, no timers; a CPU budget per tick (rules.limits).
import { defineWorld } from '@peercompute/world-sdk'

export default defineWorld({
  setup (world) {
    world.entities.spawn({ id: 'welcome', kind: 'sign', position: [0, 2, 4], data: { text: 'Welcome to ' + world.id } })
  },
  playerJoin (world, player) {
    world.log(player.name + ' joined')
  },
})
`

const README = (id: string) => `# ${title(id)}

A PeerCompute sub-world.

- bundle.json  id, name, version (raise it for every publish) and parent world
- world.json   terrain, spawn point and props; spawn and prop heights are metres above the ground
- rules.json   the basis rules this world changes (within what its parent allows)
- main.js      the world's script: defineWorld({ setup, tick, playerJoin, playerLeave, onEvent }), run by the host

    peercompute keygen --out ~/.peercompute/${id}.jwk     # once; keep it out of this folder
    peercompute build . --out ${id}.pcb
    peercompute sign ${id}.pcb --key ~/.peercompute/${id}.jwk
    peercompute publish ${id}.pcb --root https://localhost:8443 --key ~/.peercompute/${id}.jwk
`

/** `peercompute init <dir>`: a world project that builds as it is. */
export const initCommand: Command = {
  name: 'init',
  summary: 'Create a new sub-world project in <dir> (made if missing, must be empty).',
  args: ['dir'],
  options: {
    id: { type: 'string', value: 'id', description: 'world id (default: from the folder name)' },
    name: { type: 'string', value: 'name', description: 'world name shown to players (default: from the id)' },
  },
  details: 'It writes bundle.json, world.json, rules.json, main.js and README.md. Build it with\n"peercompute build <dir> --out <file>.pcb".',
  async run({ positionals, values }) {
    const dir = positionals[0]!
    await mkdir(dir, { recursive: true })
    if ((await readdir(dir)).length > 0) throw new CliError(`${dir} is not empty; pick a new folder.`)
    const id = typeof values['id'] === 'string' ? values['id'] : worldId(dir)
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(id)) throw new CliError(`--id must be 2-63 lowercase letters, digits or "-", got "${id}".`, 2)
    const name = typeof values['name'] === 'string' ? values['name'] : title(id)
    const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`
    await writeFile(join(dir, 'bundle.json'), json({ id, name, version: '0.1.0', parent: 'overworld' }))
    await writeFile(join(dir, 'world.json'), json(WORLD))
    await writeFile(join(dir, 'rules.json'), json({ movement: { walkSpeed: 4, fly: false } }))
    await writeFile(join(dir, 'main.js'), MAIN_JS)
    await writeFile(join(dir, 'README.md'), README(id))
    console.log(`Created the world "${name}" (${id}) in ${dir}.\nNext: peercompute build ${dir} --out ${id}.pcb`)
  },
}
