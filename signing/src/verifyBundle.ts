import type { JWK } from 'jose'
import { decodeBundleFile } from './bundleFile.js'
import type { BundleLimits } from './bundleFile.js'
import { BundleSignatureError } from './errors.js'
import type { BundleManifest, SignedManifest } from './manifestSchema.js'
import { jwkThumbprint } from './signingKey.js'
import { checkFileHashes, hashFiles } from './verifyFile.js'
import { verifyPublisherJws } from './verifyManifest.js'

/** Options of {@link verifyBundle}. */
export interface VerifyBundleOptions {
  /** Size limits. @default DEFAULT_BUNDLE_LIMITS */
  limits?: Partial<BundleLimits>
  /** When given, the bundle must be signed by this key (else by the key it carries). */
  publisherKey?: JWK
  /** @default new Date() */
  now?: Date
  /** Ends every error message: what to do. @default 'Build and sign the bundle again.' */
  advice?: string
}

/** A bundle whose publisher signature, paths and every file hash checked out. */
export interface VerifiedBundle {
  manifest: BundleManifest
  signed: SignedManifest
  publisherKey: JWK
  /** The files, by path (views into the bundle's bytes). */
  files: Map<string, Uint8Array>
}

/**
 * Verifies a signed bundle file completely: layout and size limits, safe paths, the publisher's
 * signature (by the key it carries, or `opts.publisherKey`), the manifest schema and expiry, and
 * every file against its size and SHA-256, with no file missing or added.
 * Throws a {@link BundleError} subclass naming what failed.
 */
export async function verifyBundle(bytes: Uint8Array, opts: VerifyBundleOptions = {}): Promise<VerifiedBundle> {
  const advice = opts.advice ?? 'Build and sign the bundle again.'
  const { header, files } = decodeBundleFile(bytes, { advice, ...(opts.limits ? { limits: opts.limits } : {}) })
  if (header.signed === undefined || header.publisherKey === undefined) {
    throw new BundleSignatureError('The bundle is not signed. Sign it with `peercompute sign <bundle> --key <file>`.')
  }
  const carried = header.publisherKey
  if (opts.publisherKey !== undefined) {
    const [want, got] = await Promise.all([jwkThumbprint(opts.publisherKey), jwkThumbprint(carried)])
    if (want !== got) {
      throw new BundleSignatureError(`The bundle is signed by key ${got}, not by the expected key ${want}. ${advice}`)
    }
  }
  // The signature check starts first: its own work (headers, key, the manifest's schema) runs
  // before the hashing streams megabytes through the CPU's caches. It hands the EdDSA verify to
  // WebCrypto, which runs it on a thread pool in Node, while the files are hashed here after one
  // turn of the event loop (nodeSha256); Chromium runs both digest and verify inline, in the call.
  // The hashes are compared only against the manifest once its signature holds.
  const verifying = verifyPublisherJws(header.signed, {
    publisherKey: carried,
    advice,
    ...(opts.now ? { now: opts.now } : {}),
  })
  const hashing = hashFiles(files)
  hashing.catch(() => undefined)
  const manifest = await verifying
  checkFileHashes(manifest, files, await hashing, { altered: 'it was changed after the bundle was signed', advice })
  return { manifest, signed: header.signed, publisherKey: carried, files }
}
