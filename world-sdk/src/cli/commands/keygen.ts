import type { Command } from '../command.js'
import { requireOption } from '../command.js'
import { writeNewKeyFile } from '../keyFile.js'

/** `peercompute keygen --out <file>`: a new publisher key. */
export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Make an Ed25519 publisher key and write it as a JWK file only you can read (mode 0600).',
  args: [],
  options: {
    out: { type: 'string', short: 'o', value: 'file', description: 'where to write the private key (required)' },
    force: { type: 'boolean', description: 'replace an existing file' },
  },
  details:
    'Keep the file secret and outside your world projects: whoever holds it can publish as you.\n' +
    'The first publish of a world id binds it to this key; a root refuses that id from any other key.\n' +
    'Roots that use an allowlist need the thumbprint this prints (PEERCOMPUTE_PUBLISHERS).',
  async run(args) {
    const out = requireOption(keygenCommand, args, 'out')
    const key = await writeNewKeyFile(out, args.values['force'] === true)
    console.log(`Wrote a new publisher key to ${out} (readable by you only).\nThumbprint: ${key.thumbprint}`)
  },
}
