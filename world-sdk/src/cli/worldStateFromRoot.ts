import { z } from 'zod'
import { CliError } from './command.js'
import { answerJson, rootRequest } from './rootConnection.js'
import type { RootConnection } from './rootConnection.js'
import type { StorageNotes, StoredChatLine, StoredEntity, StoredVersion, WorldStateSource } from './worldStateSource.js'

const notesShape = { tornBytes: z.number().int().nonnegative(), badSnapshot: z.boolean() }
const nextShape = { from: z.number().int().nonnegative(), next: z.number().int().positive().nullable() }

const versionSchema = z.looseObject({ version: z.string(), lamport: z.number(), time: z.number(), peer: z.string(), ops: z.number() })
const historyPageSchema = z.object({ ...notesShape, ...nextShape, world: z.string(), total: z.number().int(), versions: z.array(versionSchema) })

const entitySchema = z.looseObject({
  id: z.string(),
  parent: z.string().nullable(),
  name: z.string().nullable(),
  owner: z.string().nullable(),
  transform: z.looseObject({ position: z.unknown() }).nullable(),
  prop: z.looseObject({ shape: z.string() }).nullable(),
})
const chatSchema = z.looseObject({ name: z.string(), time: z.number(), text: z.string() })
const statePageSchema = z.object({
  ...notesShape, ...nextShape,
  world: z.string(), version: z.string(), settings: z.record(z.string(), z.unknown()),
  entities: z.array(entitySchema), chat: z.array(chatSchema),
  totals: z.object({ entities: z.number().int(), chat: z.number().int() }),
})
const refusedSchema = z.object({ error: z.string() })

/** Options of {@link worldStateFromRoot}. */
export interface WorldStateFromRootInit {
  /** Items asked for per request. @default the root's page size */
  pageSize?: number
}

/**
 * A running root's stored world state through `GET /api/worlds/:id/state/history` and
 * `GET /api/worlds/:id/state`, every page fetched, so the command prints what `--data` prints.
 */
export function worldStateFromRoot(conn: RootConnection, init: WorldStateFromRootInit = {}): WorldStateSource {
  const get = async <T>(world: string, path: string, query: Record<string, string>, schema: z.ZodType<T>): Promise<T> => {
    const params = new URLSearchParams(query)
    if (init.pageSize !== undefined) params.set('limit', String(init.pageSize))
    const answer = await rootRequest(conn, `/api/worlds/${encodeURIComponent(world)}/${path}?${params.toString()}`)
    let body: unknown
    try {
      body = answerJson(conn, answer)
    } catch {
      throw new CliError(`${conn.base.origin} answered HTTP ${answer.status} without JSON to a request for stored state: it is not a PeerCompute root, or one too old to serve it (read its data folder with --data instead).`)
    }
    const refused = refusedSchema.safeParse(body)
    if (answer.status !== 200) {
      throw new CliError(refused.success ? refused.data.error : `${conn.base.origin} refused the request for the state of "${world}" (HTTP ${answer.status}) without saying why.`)
    }
    const parsed = schema.safeParse(body)
    if (!parsed.success) throw new CliError(`${conn.base.origin} answered with stored state of an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'}): is it a PeerCompute root of this version?`)
    // The checked body itself, not zod's copy: that one moves known keys first, and --json must print what --data prints.
    return body as T
  }
  /** `first` and the pages after it, following `next` until the root says there is no more. */
  const withRest = async <P extends { from: number; next: number | null }>(first: P, fetchPage: (from: number) => Promise<P>): Promise<P[]> => {
    const pages = [first]
    for (let next = first.next; next !== null; ) {
      const asked = next
      const page = asked > pages.at(-1)!.from ? await fetchPage(asked) : undefined
      if (page?.from !== asked) throw new CliError(`${conn.base.origin} sent pages out of order: is it a PeerCompute root of this version?`)
      pages.push(page)
      next = page.next
    }
    return pages
  }
  const notes = (page: StorageNotes): StorageNotes => ({ tornBytes: page.tornBytes, badSnapshot: page.badSnapshot })

  return {
    async history(world) {
      const page = (from: number) => get(world, 'state/history', { from: String(from) }, historyPageSchema)
      const pages = await withRest(await page(0), page)
      return { ...notes(pages[0]!), versions: pages.flatMap((p) => p.versions as StoredVersion[]) }
    },
    async stateAt(world, version) {
      const first = await get(world, 'state', version === undefined ? {} : { at: version }, statePageSchema)
      // Later pages name the first page's version, so a root that changes meanwhile still sends one consistent state.
      const pages = await withRest(first, (from) => get(world, 'state', { at: first.version, from: String(from) }, statePageSchema))
      return {
        ...notes(first),
        state: {
          version: first.version,
          entities: pages.flatMap((p) => p.entities as StoredEntity[]),
          chat: pages.flatMap((p) => p.chat as StoredChatLine[]),
          settings: first.settings,
        },
      }
    },
  }
}
