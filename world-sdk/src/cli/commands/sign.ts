import { signBundle, verifyBundle } from '@peercompute/signing'
import type { Command } from '../command.js'
import { CliError, optionalString, requireOption } from '../command.js'
import { readBundleBytes, writeBundleBytes } from '../bundleFileIo.js'
import { readKeyFile } from '../keyFile.js'

/** `peercompute sign <bundle> --key <file>`: sign as the publisher. */
export const signCommand: Command = {
  name: 'sign',
  summary: "Sign a bundle's manifest with your publisher key (EdDSA / Ed25519, a General JWS).",
  args: ['bundle'],
  options: {
    key: { type: 'string', short: 'k', value: 'file', description: 'your key file from "peercompute keygen" (required)' },
    out: { type: 'string', short: 'o', value: 'file', description: 'write the signed bundle here (default: replace <bundle>)' },
    'expires-in': { type: 'string', value: 'days', description: 'how long the signature stays valid (default 30)' },
  },
  details: 'Signing hashes every file again and records your key, so a changed file is caught on verify and publish.',
  async run(args) {
    const path = args.positionals[0]!
    const key = await readKeyFile(requireOption(signCommand, args, 'key'))
    const days = Number(optionalString(args, 'expires-in') ?? '30')
    if (!Number.isFinite(days) || days <= 0 || days > 3650) throw new CliError('--expires-in must be a number of days from 0 to 3650.', 2)
    const signed = await signBundle(await readBundleBytes(path), key, { ttlSeconds: Math.round(days * 86400) })
    const { manifest } = await verifyBundle(signed)
    const out = optionalString(args, 'out') ?? path
    await writeBundleBytes(out, signed)
    console.log(`Signed ${manifest.id} ${manifest.version} as ${key.thumbprint}; valid until ${manifest.expires}. -> ${out}`)
  },
}
