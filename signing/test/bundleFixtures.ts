import { encodeBundleFile, generateSigningKey, signBundle, unsignedManifestSchema, buildManifest } from '../src/index.js'
import type { SigningKey } from '../src/index.js'
import { NOW, enc } from './fixtures.js'

/** The files of a small sub-world, version `version` (its world.json differs per version). */
export function worldFiles(version = '1.0.0'): { path: string; bytes: Uint8Array }[] {
  return [
    { path: 'main.js', bytes: enc('// script\n') },
    { path: 'rules.json', bytes: enc('{"movement":{"fly":true}}') },
    { path: 'world.json', bytes: enc(`{"version":"${version}"}`) },
  ]
}

/** An unsigned bundle file (a build output) of world `id`. */
export async function unsignedBundle(id = 'garden', version = '1.0.0', files = worldFiles(version)): Promise<Uint8Array> {
  const manifest = await buildManifest({
    id,
    name: 'Garden',
    version,
    parent: 'overworld',
    entry: 'world.json',
    rules: { movement: { fly: true } },
    publisher: '',
    files,
    now: NOW,
  })
  unsignedManifestSchema.parse(manifest)
  return encodeBundleFile({ manifest }, manifest.files.map((f) => files.find((x) => x.path === f.path)!))
}

/** A bundle of `id`@`version` signed by `key` at {@link NOW}, valid for an hour. */
export async function signedBundle(key: SigningKey, id = 'garden', version = '1.0.0'): Promise<Uint8Array> {
  return signBundle(await unsignedBundle(id, version), key, { now: NOW, ttlSeconds: 3600 })
}

export { generateSigningKey }
