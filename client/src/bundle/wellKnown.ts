import { z } from 'zod'
import { WellKnownError } from './errors.js'
import { fetchFromRoot, type FetchLike } from './fetchFromRoot.js'

const jwkSchema = z.looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1) })

const iceServerSchema = z
  .object({
    urls: z.union([z.string(), z.array(z.string())]),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .transform((s): RTCIceServer => ({
    urls: s.urls,
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.credential === undefined ? {} : { credential: s.credential }),
  }))

/** `/.well-known/peercompute.json` as the client reads it (docs/ARCHITECTURE.md, Root HTTP API). */
export const wellKnownSchema = z.looseObject({
  protocol: z.literal('peercompute/1'),
  name: z.string(),
  version: z.string(),
  rootKey: jwkSchema,
  peerId: z.string().min(1),
  multiaddrs: z.array(z.string().min(1)),
  overworld: z.string().min(1),
  iceServers: z.array(iceServerSchema).default([]),
  versions: z.looseObject({}).optional(),
})

/** What the root publishes about itself: its pinned signing key and where to dial it. */
export type WellKnown = z.infer<typeof wellKnownSchema>

/** Where the root describes itself. */
export const WELL_KNOWN_PATH = '/.well-known/peercompute.json'

/** Fetches and parses the root's description; throws {@link WellKnownError} or RootFetchError. */
export async function loadWellKnown(fetcher: FetchLike, origin = ''): Promise<WellKnown> {
  const response = await fetchFromRoot(fetcher, `${origin}${WELL_KNOWN_PATH}`, "the root's description")
  let json: unknown
  try {
    json = await response.json()
  } catch {
    throw new WellKnownError(`${WELL_KNOWN_PATH} is not JSON. The root is misconfigured; tell its operator.`)
  }
  const parsed = wellKnownSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new WellKnownError(`${WELL_KNOWN_PATH} is invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'wrong shape'}. The root is misconfigured; tell its operator.`)
  }
  return parsed.data
}
