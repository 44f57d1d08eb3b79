import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs script without types
import { jsonSchemas } from '../scripts/writeSchemas.mjs'

describe('published JSON schemas', () => {
  it('match the zod schemas (run node signing/scripts/writeSchemas.mjs after changing them)', () => {
    for (const [name, schema] of Object.entries(jsonSchemas() as Record<string, unknown>)) {
      const published: unknown = JSON.parse(readFileSync(new URL(`../schema/${name}`, import.meta.url), 'utf8'))
      expect(published).toEqual(schema)
    }
  })
})
