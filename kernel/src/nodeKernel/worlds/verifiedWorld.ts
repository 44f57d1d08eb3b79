import { BundleSignatureError, jwkThumbprint, verifyBundle, verifyBundleFiles, verifyManifest } from '@peercompute/signing'
import { checkRulesAgainstParent, computeCodeOf, effectiveRules, parseWorldDefinition } from '@peercompute/world-sdk'
import type { BundleManifest, JWK } from '@peercompute/signing'
import type { BasisRules, EffectiveRules, WorldRulesDeclaration } from '@peercompute/world-sdk'
import type { LoadedWorld } from '../LoadedWorld.js'
import type { WorldListEntry, WorldSource } from './WorldSource.js'

/** A world whose bundle, files and rules were all checked: ready to enter or host. */
export interface VerifiedWorld {
  manifest: BundleManifest
  /** Its files by path, each hash checked against the manifest. */
  files: ReadonlyMap<string, Uint8Array>
  /** Effective rules: the fold from the root down its chain of parents. */
  effective: EffectiveRules
  /** The parent world's effective rules (the defaults above the root's world): a host links to its parent by them. */
  parentRules: BasisRules
  /** The world as a node enters it, less its terrain: the navigator has the compute network make that. */
  loaded: Omit<LoadedWorld, 'heights'>
}

/** Thrown when a world is not published on the root (or one of its parents is not). */
export class WorldNotFoundError extends Error {
  override name = 'WorldNotFoundError'
}

/**
 * Fetches world `id` from the root and verifies it fully: the root's countersignature (its
 * well-known key) and the publisher's signature, every file's hash, and its rules against the
 * chain of parents (RuleViolationError names the rule). Throws BundleError subclasses otherwise.
 */
export async function fetchVerifiedWorld(source: WorldSource, id: string, now = new Date()): Promise<VerifiedWorld> {
  const [{ rootKey }, listing] = await Promise.all([source.wellKnown(), source.worlds()])
  const manifest = await verifiedManifest(source, listing, rootKey, id, now)
  const files = new Map<string, Uint8Array>()
  await Promise.all(manifest.files.map(async (f) => { files.set(f.path, await source.blob(f.sha256)) }))
  await verifyBundleFiles(manifest, files)
  return assemble(manifest, files, await parentChain(source, listing, rootKey, manifest.parent, now))
}

/**
 * Verifies a signed bundle file (`.pcb`) a host was handed: the publisher's signature and every
 * file, then its rules against its parents as the root publishes them (their manifests verified).
 */
export async function verifyWorldBundle(source: WorldSource, bytes: Uint8Array, now = new Date()): Promise<VerifiedWorld> {
  const bundle = await verifyBundle(bytes, { now })
  const [{ rootKey }, listing] = await Promise.all([source.wellKnown(), source.worlds()])
  return assemble(bundle.manifest, bundle.files, await parentChain(source, listing, rootKey, bundle.manifest.parent, now))
}

async function verifiedManifest(source: WorldSource, listing: WorldListEntry[], rootKey: JWK, id: string, now: Date): Promise<BundleManifest> {
  const entry = listing.find((w) => w.id === id)
  if (entry == null) throw new WorldNotFoundError(`No world "${id}" is published on this root; check the id in the world list.`)
  if (await jwkThumbprint(entry.publisherKey) !== entry.publisher) {
    throw new BundleSignatureError(`The root lists a publisher key for "${id}" that does not match its publisher; do not run this world and tell the root's operator.`)
  }
  // The root publishes the worlds it ships (the overworld) under its own key, signed once with role 'root'.
  const ownWorld = entry.publisher === await jwkThumbprint(rootKey)
  const manifest = await verifyManifest(await source.manifest(id), ownWorld ? { rootKey, now } : { rootKey, publisherKey: entry.publisherKey, now })
  if (manifest.id !== id) throw new BundleSignatureError(`The root answered world "${id}" with a manifest of "${manifest.id}"; do not run it.`)
  return manifest
}

/** The rules declarations from the root world down to `parent`, each manifest verified. */
async function parentChain(source: WorldSource, listing: WorldListEntry[], rootKey: JWK, parent: string | null, now: Date): Promise<WorldRulesDeclaration[]> {
  const chain: WorldRulesDeclaration[] = []
  const seen = new Set<string>()
  for (let id = parent; id != null;) {
    if (seen.has(id) || seen.size > 32) throw new WorldNotFoundError(`The chain of parents of this world loops at "${id}"; the root's registry is inconsistent.`)
    seen.add(id)
    const manifest = await verifiedManifest(source, listing, rootKey, id, now)
    chain.unshift({ world: manifest.id, rules: manifest.rules })
    id = manifest.parent
  }
  return chain
}

function assemble(manifest: BundleManifest, files: ReadonlyMap<string, Uint8Array>, parents: WorldRulesDeclaration[]): VerifiedWorld {
  const parent = effectiveRules(parents)
  const effective = checkRulesAgainstParent(parent, { world: manifest.id, rules: manifest.rules })
  const entry = files.get(manifest.entry)
  if (entry == null) throw new WorldNotFoundError(`The bundle of "${manifest.id}" lacks its entry file ${manifest.entry}; publish it again.`)
  const definition = parseWorldDefinition(JSON.parse(new TextDecoder().decode(entry)))
  return {
    manifest,
    files,
    effective,
    parentRules: parent.rules,
    loaded: { id: manifest.id, name: manifest.name, definition, rules: effective.rules, computeCode: computeCodeOf(manifest) }
  }
}
