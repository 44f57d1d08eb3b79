import { BundleSignatureError, decodeBundleFile, formatBytes, jwkThumbprint, signBundle, verifyBundle } from '@peercompute/signing'
import { z } from 'zod'
import type { Command } from '../command.js'
import { CliError, TLS_DETAILS, TLS_OPTIONS, requireOption } from '../command.js'
import { readBundleBytes } from '../bundleFileIo.js'
import { readKeyFile } from '../keyFile.js'
import { progressBar } from '../progressBar.js'
import { answerJson, rootConnection, rootRequest } from '../rootConnection.js'

const acceptedSchema = z.object({ id: z.string(), version: z.string(), url: z.string() })
const refusedSchema = z.object({ error: z.string() })

/** `peercompute publish <bundle> --root <url> --key <file>`. */
export const publishCommand: Command = {
  name: 'publish',
  summary: 'Send a bundle signed with your key to a root, which checks it, countersigns and lists it.',
  args: ['bundle'],
  options: {
    root: { type: 'string', short: 'r', value: 'url', description: 'the root, e.g. https://localhost:8443 (required)' },
    key: { type: 'string', short: 'k', value: 'file', description: 'your key file; an unsigned bundle is signed with it first (required)' },
    ...TLS_OPTIONS,
  },
  details:
    'The first publish of a world id binds it to your key. Each publish needs a higher version\n' +
    '(bundle.json) than the one the root serves. It prints the world\'s URL.\n\n' + TLS_DETAILS,
  async run(args) {
    const path = args.positionals[0]!
    const conn = rootConnection(requireOption(publishCommand, args, 'root'), args.values['insecure'] === true)
    const key = await readKeyFile(requireOption(publishCommand, args, 'key'))
    let bytes = await readBundleBytes(path)
    const { header } = decodeBundleFile(bytes)
    if (header.publisherKey === undefined) {
      bytes = await signBundle(bytes, key)
      console.error(`Signed ${path} with ${key.thumbprint} for this upload (the file is unchanged).`)
    } else if ((await jwkThumbprint(header.publisherKey)) !== key.thumbprint) {
      throw new BundleSignatureError(`${path} is signed by another key than ${key.thumbprint}. Sign it with this key: peercompute sign ${path} --key <file>.`)
    }
    const { manifest } = await verifyBundle(bytes, { publisherKey: key.publicJwk })
    const bar = progressBar(`Uploading ${manifest.id} ${manifest.version}`, bytes.byteLength)
    const answer = await rootRequest(conn, '/api/worlds', { method: 'POST', body: bytes, onProgress: (n) => bar.update(n) })
    bar.finish()
    const body = answerJson(conn, answer)
    const accepted = acceptedSchema.safeParse(body)
    if (answer.status === 201 && accepted.success) {
      console.log(`Published ${accepted.data.id} ${accepted.data.version} (${formatBytes(bytes.byteLength)}) to ${conn.base.origin}.`)
      console.log(accepted.data.url)
      return
    }
    const refused = refusedSchema.safeParse(body)
    throw new CliError(`The root refused the bundle (HTTP ${answer.status}): ${refused.success ? refused.data.error : 'no reason given'}`)
  },
}
