import type { WorldListing } from '@peercompute/kernel'
import { z } from 'zod'
import { fetchFromRoot, type FetchLike } from '../bundle/fetchFromRoot.js'

/** `GET /api/worlds` answered something that is not a world list. */
export class WorldListError extends Error {
  override name = 'WorldListError'
}

/** Where the root lists its published worlds. */
export const WORLD_LIST_PATH = '/api/worlds'
/** More worlds than this in one answer are cut off (a list in the UI, not a registry dump). */
const MAX_WORLDS = 500

const worldSummarySchema = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  name: z.string().min(1).max(200),
  version: z.string().min(1).max(100),
  publisher: z.string().min(1).max(100),
  parent: z.string().nullable(),
  hosts: z.array(z.unknown()).max(64).optional(),
})

/** The body of `GET /api/worlds` (docs/ARCHITECTURE.md, Root HTTP API), as far as the list shows it. */
export const worldListSchema = z.looseObject({ worlds: z.array(worldSummarySchema) })

/** A published world as the panel shows it: the status's listing and how many nodes host it now. */
export interface ListedWorld extends WorldListing {
  hosts: number
}

/**
 * Parses a `GET /api/worlds` body into listings sorted by id (the root sorts too; this does not
 * rely on it), keeping at most 500. Throws {@link WorldListError} naming the first problem.
 */
export function parseWorldList(json: unknown): ListedWorld[] {
  const parsed = worldListSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new WorldListError(`${WORLD_LIST_PATH} is invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'wrong shape'}. The root may be a different version; reload later.`)
  }
  return parsed.data.worlds
    .map(({ id, name, version, publisher, parent, hosts }) => ({ id, name, version, publisher, parent, hosts: hosts?.length ?? 0 }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, MAX_WORLDS)
}

/** Fetches and parses the root's world list; throws RootFetchError or {@link WorldListError}. */
export async function loadWorldList(fetcher: FetchLike, origin = ''): Promise<ListedWorld[]> {
  const response = await fetchFromRoot(fetcher, `${origin}${WORLD_LIST_PATH}`, 'the list of worlds')
  let json: unknown
  try {
    json = await response.json()
  } catch {
    throw new WorldListError(`${WORLD_LIST_PATH} is not JSON. The root is misconfigured; tell its operator.`)
  }
  return parseWorldList(json)
}

/** A publisher thumbprint as people compare it at a glance: its first 8 and last 4 characters. */
export function shortThumbprint(thumbprint: string): string {
  return thumbprint.length <= 14 ? thumbprint : `${thumbprint.slice(0, 8)}…${thumbprint.slice(-4)}`
}
