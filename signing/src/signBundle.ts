import { base64url } from 'jose'
import { decodeBundleFile, encodeBundleFile } from './bundleFile.js'
import type { BundleLimits } from './bundleFile.js'
import { buildManifest } from './buildManifest.js'
import { BundleFormatError } from './errors.js'
import type { BundleManifest } from './manifestSchema.js'
import { parseManifest } from './parseManifest.js'
import { signManifest } from './signManifest.js'
import type { SigningKey } from './signingKey.js'

/** Options of {@link signBundle}. */
export interface SignBundleOptions {
  /** How long the signature stays valid. @default 2_592_000 (30 days) */
  ttlSeconds?: number
  /** @default new Date() */
  now?: Date
  limits?: Partial<BundleLimits>
}

/**
 * Signs a bundle file (a build output, or a signed bundle to sign again) as its publisher: the
 * manifest is rebuilt from the files it holds (fresh hashes, `created` = now, publisher = the key's
 * thumbprint) and signed with role 'publisher'. Returns the new bundle file's bytes.
 */
export async function signBundle(bytes: Uint8Array, key: SigningKey, opts: SignBundleOptions = {}): Promise<Uint8Array> {
  const advice = 'Build it again with `peercompute build`, then sign it.'
  const { header, files } = decodeBundleFile(bytes, { advice, ...(opts.limits ? { limits: opts.limits } : {}) })
  const source = header.signed === undefined ? header.manifest : payloadOf(header.signed.payload)
  const old: BundleManifest = parseManifest(source, { signed: false, advice })
  const entries = [...files].map(([path, fileBytes]) => ({ path, bytes: fileBytes }))
  const manifest = await buildManifest({
    id: old.id,
    name: old.name,
    version: old.version,
    parent: old.parent,
    entry: old.entry,
    rules: old.rules,
    publisher: key.thumbprint,
    files: entries,
    ...(opts.ttlSeconds === undefined ? {} : { ttlSeconds: opts.ttlSeconds }),
    ...(opts.now === undefined ? {} : { now: opts.now }),
  })
  const signed = await signManifest(manifest, key, 'publisher')
  const ordered = manifest.files.map((f) => ({ path: f.path, bytes: files.get(f.path) as Uint8Array }))
  return encodeBundleFile({ signed, publisherKey: key.publicJwk }, ordered)
}

function payloadOf(payload: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(base64url.decode(payload)))
  } catch {
    throw new BundleFormatError('The bundle\'s signed manifest is not readable. Build it again with `peercompute build`, then sign it.')
  }
}
