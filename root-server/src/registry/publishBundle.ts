import { compareVersions, countersign, verifyBundle } from '@peercompute/signing'
import type { BundleLimits, BundleManifest, SignedManifest, SigningKey } from '@peercompute/signing'
import { checkRulesAgainstParent, effectiveRules, parseBasisRules, parseWorldDefinition } from '@peercompute/world-sdk'
import type { WorldRulesDeclaration } from '@peercompute/world-sdk'
import type { BundleStore } from '../bundles/bundleStore.js'
import { PublisherNotAllowedError, VersionNotNewerError, WorldContentError } from './errors.js'
import type { WorldIndex } from './worldIndex.js'

/** What a root needs to accept a bundle. */
export interface PublishContext {
  store: BundleStore
  index: WorldIndex
  rootKey: SigningKey
  /** 'open', or the thumbprints of the keys allowed to publish. */
  publishers: 'open' | readonly string[]
  limits: BundleLimits
  now: Date
}

/** A bundle the root accepted, countersigned and stored. */
export interface AcceptedBundle {
  manifest: BundleManifest
  signed: SignedManifest
}

const ADVICE = 'Fix it, then build, sign and publish again.'

/**
 * Verifies a bundle file completely and applies the root's policy, then stores its blobs and
 * the countersigned manifest. Nothing is written unless every check passes:
 * publisher signature, paths, size limits, every file hash, expiry, rules and world data,
 * parent world, allowlist, owner of the world id (bound on first publish), and a version higher
 * than the one served. Throws a BundleError or a RegistryError naming what failed.
 */
export async function publishBundle(bytes: Uint8Array, ctx: PublishContext): Promise<AcceptedBundle> {
  const { manifest, signed, publisherKey, files } = await verifyBundle(bytes, {
    limits: ctx.limits,
    now: ctx.now,
    advice: ADVICE,
  })
  const thumbprint = manifest.publisher
  if (ctx.publishers !== 'open' && !ctx.publishers.includes(thumbprint)) {
    throw new PublisherNotAllowedError(
      403,
      `This root accepts bundles only from listed publishers, and key ${thumbprint} is not one. ` +
        "Ask the root's operator to add it to PEERCOMPUTE_PUBLISHERS.",
    )
  }
  const current = ctx.store.latest(manifest.id)
  const owner = ctx.index.get(manifest.id)?.owner ?? (current === undefined ? undefined : publisherOf(current.signed))
  if (owner !== undefined && owner !== thumbprint) {
    throw new PublisherNotAllowedError(
      403,
      `The world id "${manifest.id}" belongs to another publisher key (${owner}). Pick another id in bundle.json, or sign with that key.`,
    )
  }
  if (current !== undefined && compareVersions(manifest.version, current.version) <= 0) {
    throw new VersionNotNewerError(
      409,
      `Version ${manifest.version} of "${manifest.id}" is not higher than ${current.version}, the version this root serves. ` +
        'Raise the version in bundle.json, then build, sign and publish again.',
    )
  }
  checkContent(manifest, files, ctx.store)

  for (const bytesOfFile of files.values()) await ctx.store.putBlob(bytesOfFile)
  const countersigned = await countersign(signed, ctx.rootKey, 'root')
  await ctx.index.bind(manifest.id, { owner: thumbprint, publisherKey })
  await ctx.store.putManifest({ id: manifest.id, version: manifest.version, signed: countersigned })
  return { manifest, signed: countersigned }
}

/** The manifest's publisher, read from a manifest this root stored (and so already verified). */
export function publisherOf(signed: SignedManifest): string {
  return readPayload(signed).publisher
}

/** The manifest inside a stored signed manifest. */
export function readPayload(signed: SignedManifest): BundleManifest {
  return JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')) as BundleManifest
}

function checkContent(manifest: BundleManifest, files: Map<string, Uint8Array>, store: BundleStore): void {
  if (manifest.parent === null || store.latest(manifest.parent) === undefined) {
    throw new WorldContentError(
      400,
      `The bundle's parent world ${manifest.parent === null ? '(none)' : `"${manifest.parent}"`} is not published on this root. ` +
        'Set "parent" in bundle.json to a world this root lists (peercompute worlds), such as "overworld".',
    )
  }
  try {
    parseBasisRules(manifest.rules)
    // The parent's chain was checked when each of its worlds was published; fold it, then check the child.
    checkRulesAgainstParent(effectiveRules(chainOf(manifest.parent, store)), { world: manifest.id, rules: manifest.rules })
  } catch (err) {
    throw new WorldContentError(400, (err as Error).message)
  }
  if (!manifest.entry.endsWith('.json')) return
  const entry = files.get(manifest.entry)
  try {
    parseWorldDefinition(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry)))
  } catch (err) {
    throw new WorldContentError(400, `The bundle's entry file ${manifest.entry} is not a valid world: ${(err as Error).message} ${ADVICE}`)
  }
}

/** The rules declarations from the root down to `id`, read from the manifests this root serves. */
function chainOf(id: string, store: BundleStore): WorldRulesDeclaration[] {
  const chain: WorldRulesDeclaration[] = []
  for (let next: string | null = id; next !== null && chain.length < 64; ) {
    const stored = store.latest(next)
    if (stored === undefined || chain.some((link) => link.world === next)) break
    const manifest = readPayload(stored.signed)
    chain.unshift({ world: manifest.id, rules: manifest.rules })
    next = manifest.parent
  }
  return chain
}
