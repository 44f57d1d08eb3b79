import { compareVersions, verifyBundle, verifyManifest } from '@peercompute/signing'
import type { BundleManifest, JWK } from '@peercompute/signing'
import { z } from 'zod'
import type { Command } from '../command.js'
import { CliError, TLS_DETAILS, TLS_OPTIONS, optionalString } from '../command.js'
import { readBundleBytes } from '../bundleFileIo.js'
import { answerJson, rootConnection, rootRequest } from '../rootConnection.js'
import type { RootConnection } from '../rootConnection.js'

const wellKnownSchema = z.object({ rootKey: z.object({ kty: z.string(), crv: z.string(), x: z.string() }).passthrough() })

/** `peercompute verify <bundle> [--root <url>]`: everything a root checks, locally. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: "Check a bundle: its publisher signature, expiry, paths, size limits and every file's SHA-256.",
  args: ['bundle'],
  options: {
    root: { type: 'string', short: 'r', value: 'url', description: "also check it against what this root serves (owner, version)" },
    ...TLS_OPTIONS,
  },
  details:
    'It prints one line and exits 0 when everything checks out; otherwise it prints one line naming\n' +
    'what failed and exits 1. With --root it also fetches the root\'s key and its signed copy of the\n' +
    'world: another owner, or a version older than the one served, fails.\n\n' + TLS_DETAILS,
  async run(args) {
    const path = args.positionals[0]!
    const { manifest } = await verifyBundle(await readBundleBytes(path))
    const files = `${manifest.files.length} file${manifest.files.length === 1 ? '' : 's'}`
    const root = optionalString(args, 'root')
    const against = root === undefined ? '' : ` ${await compareWithRoot(rootConnection(root, args.values['insecure'] === true), manifest)}`
    console.log(`OK: ${manifest.id} ${manifest.version} signed by ${manifest.publisher}, ${files} match, valid until ${manifest.expires}.${against}`)
  },
}

async function compareWithRoot(conn: RootConnection, local: BundleManifest): Promise<string> {
  const known = wellKnownSchema.safeParse(answerJson(conn, await rootRequest(conn, '/.well-known/peercompute.json')))
  if (!known.success) throw new CliError(`${conn.base.origin} has no PeerCompute root key at /.well-known/peercompute.json.`)
  const answer = await rootRequest(conn, `/api/worlds/${local.id}`)
  if (answer.status === 404) return `${conn.base.origin} does not serve "${local.id}" yet: ready to publish.`
  if (answer.status !== 200) throw new CliError(`${conn.base.origin} answered HTTP ${answer.status} for the world "${local.id}".`)
  const served = await verifyManifest(answerJson(conn, answer), { rootKey: known.data.rootKey as JWK })
  if (served.publisher !== local.publisher) {
    throw new CliError(`On ${conn.base.origin} the world id "${local.id}" belongs to another publisher key (${served.publisher}).`)
  }
  const order = compareVersions(local.version, served.version)
  if (order < 0) throw new CliError(`${conn.base.origin} serves "${local.id}" ${served.version}, newer than this bundle's ${local.version} (a rollback).`)
  if (order > 0) return `Newer than ${served.version} on ${conn.base.origin}: ready to publish.`
  const same = JSON.stringify(served.files) === JSON.stringify(local.files)
  if (!same) throw new CliError(`${conn.base.origin} serves "${local.id}" ${served.version} with other files than this bundle.`)
  return `It is the version ${conn.base.origin} serves, countersigned by the root.`
}
