import { writeFile } from 'node:fs/promises'
import { DEFAULT_BUNDLE_LIMITS, buildManifest, encodeBundleFile, formatBytes } from '@peercompute/signing'
import type { Command } from '../command.js'
import { CliError, optionalString } from '../command.js'
import { progressBar } from '../progressBar.js'
import type { ProgressBar } from '../progressBar.js'
import { readWorldProject } from '../worldProject.js'

const LIMITS = DEFAULT_BUNDLE_LIMITS

/** `peercompute build <dir> --out <bundle>`: a world project into an unsigned bundle file. */
export const buildCommand: Command = {
  name: 'build',
  summary: 'Check a world project and pack it into one bundle file (.pcb) with an unsigned manifest.',
  args: ['dir'],
  options: { out: { type: 'string', short: 'o', value: 'file', description: 'bundle file to write (default: <id>-<version>.pcb)' } },
  details:
    'The build checks bundle.json, rules.json and world.json, places spawn and props on the terrain,\n' +
    'and lists every file with its size and SHA-256. Sign the result with "peercompute sign".\n' +
    `Limits: ${formatBytes(LIMITS.maxFileBytes)} a file, ${formatBytes(LIMITS.maxBundleBytes)} a bundle (a root may set others).`,
  async run(args) {
    const dir = args.positionals[0]!
    let bar: ProgressBar | undefined
    const project = await readWorldProject(dir, (read, total) => {
      bar ??= progressBar('Reading', total)
      bar.update(read)
    })
    bar?.finish()
    const { info } = project
    for (const f of project.files) {
      if (f.bytes.byteLength > LIMITS.maxFileBytes) {
        throw new CliError(`${f.path} is ${formatBytes(f.bytes.byteLength)}, more than the ${formatBytes(LIMITS.maxFileBytes)} one bundle file may be.`)
      }
    }
    const manifest = await buildManifest({ ...info, rules: project.rules, publisher: '', files: project.files }).catch((err: unknown) => {
      throw new CliError(`${dir}: ${(err as Error).message}`)
    })
    const byPath = new Map(project.files.map((f) => [f.path, f.bytes]))
    const bytes = encodeBundleFile({ manifest }, manifest.files.map((f) => ({ path: f.path, bytes: byPath.get(f.path)! })))
    if (bytes.byteLength > LIMITS.maxBundleBytes) {
      throw new CliError(`The bundle would be ${formatBytes(bytes.byteLength)}, more than the ${formatBytes(LIMITS.maxBundleBytes)} a root accepts by default.`)
    }
    const out = optionalString(args, 'out') ?? `${info.id}-${info.version}.pcb`
    await writeFile(out, bytes)
    console.log(`Built ${info.id} ${info.version}: ${manifest.files.length} files, ${formatBytes(bytes.byteLength)} -> ${out}`)
    console.log(`Next: peercompute sign ${out} --key <file>`)
  },
}
