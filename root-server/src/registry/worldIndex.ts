import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { publicJwkSchema, WORLD_ID_PATTERN } from '@peercompute/signing'
import type { JWK } from '@peercompute/signing'
import { z } from 'zod'
import { writeFileAtomic } from '../dataDir/privateFile.js'

/** Who owns a world id: the publisher key bound to it on its first publish. */
export interface WorldOwner {
  /** RFC 7638 thumbprint of the publisher's key. */
  owner: string
  /** That key, so clients can check the publisher's own signature. */
  publisherKey: JWK
}

const indexSchema = z.strictObject({
  version: z.literal(1),
  worlds: z.record(z.string().regex(WORLD_ID_PATTERN), z.strictObject({ owner: z.string(), publisherKey: publicJwkSchema })),
})

/** The registry's index in the data folder (`registry/worlds.json`): world id → owner key. */
export class WorldIndex {
  readonly #path: string
  #worlds = new Map<string, WorldOwner>()

  constructor(dataDir: string) {
    this.#path = join(dataDir, 'registry', 'worlds.json')
  }

  /** Reads the index; a missing file is an empty index, a corrupt one an error naming the file. */
  async load(): Promise<void> {
    let text: string
    try {
      text = await readFile(this.#path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    const parsed = indexSchema.safeParse(safeJson(text))
    if (!parsed.success) {
      throw new Error(`${this.#path} is corrupt (${parsed.error.issues[0]?.message}). Restore it from a backup: it binds world ids to publisher keys.`)
    }
    this.#worlds = new Map(Object.entries(parsed.data.worlds) as [string, WorldOwner][])
  }

  get(id: string): WorldOwner | undefined {
    return this.#worlds.get(id)
  }

  /** Binds `id` to `owner` (or keeps the binding) and writes the index. */
  async bind(id: string, owner: WorldOwner): Promise<void> {
    this.#worlds.set(id, owner)
    await writeFileAtomic(this.#path, `${JSON.stringify({ version: 1, worlds: Object.fromEntries(this.#worlds) }, null, 2)}\n`)
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
