import { buildManifest, generateSigningKey } from '../src/index.js'
import type { BundleManifest, SigningKey } from '../src/index.js'

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

export const FILES = [
  { path: 'world.json', bytes: enc('{"terrain":{}}') },
  { path: 'rules.json', bytes: enc('{"physics":{"gravity":-9.81}}') },
  { path: 'assets/sky.txt', bytes: enc('blue') },
]

export const NOW = new Date('2026-01-01T00:00:00.000Z')

/** A complete manifest for the overworld, published by `publisher`. */
export async function overworldManifest(publisher: SigningKey, extra: Partial<BundleManifest> = {}): Promise<BundleManifest> {
  const manifest = await buildManifest({
    id: 'overworld',
    name: 'Overworld',
    version: '1.0.0',
    parent: null,
    entry: 'world.json',
    rules: { physics: { gravity: -9.81 } },
    publisher: publisher.thumbprint,
    files: FILES,
    ttlSeconds: 3600,
    now: NOW,
  })
  return { ...manifest, ...extra }
}

export { generateSigningKey }

/** Flips one base64url character of `s` at `index` (to another valid character). */
export function flipChar(s: string, index: number): string {
  const c = s[index]
  return s.slice(0, index) + (c === 'A' ? 'B' : 'A') + s.slice(index + 1)
}
