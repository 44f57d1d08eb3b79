// Writes the published JSON schemas (schema/*.schema.json) from the zod schemas in dist.
// Run after `npx tsc -b signing`: node signing/scripts/writeSchemas.mjs
import { writeFileSync } from 'node:fs'
import { z } from 'zod'
import { bundleFileHeaderSchema, bundleManifestSchema } from '../dist/index.js'

const BASE = 'https://peercompute.dev/schema/'

/** The JSON schemas this package publishes, by file name. */
export function jsonSchemas() {
  const manifest = z.toJSONSchema(bundleManifestSchema, { io: 'input', unrepresentable: 'any' })
  const header = z.toJSONSchema(bundleFileHeaderSchema, { io: 'input', unrepresentable: 'any' })
  return {
    'bundle-manifest.schema.json': {
      ...manifest,
      $id: `${BASE}bundle-manifest.schema.json`,
      title: 'PeerCompute bundle manifest (peercompute/bundle@1)',
      description:
        'The payload of a bundle\'s General JWS (EdDSA). Also enforced, beyond this schema: file paths are relative ' +
        'without "." or ".." segments, backslashes or control characters, and unique; entry is one of the files; ' +
        'expires is later than created.',
    },
    'bundle-file-header.schema.json': {
      ...header,
      $id: `${BASE}bundle-file-header.schema.json`,
      title: 'PeerCompute bundle file header (peercompute/pcb@1)',
      description:
        'A .pcb file is "PCB1", a uint32 big-endian header length, this header as UTF-8 JSON, then each entry\'s bytes ' +
        'back to back in entries order. It holds exactly one of manifest (unsigned) or signed + publisherKey.',
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    writeFileSync(new URL(`../schema/${name}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`)
  }
}
