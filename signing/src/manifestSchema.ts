import { z } from 'zod'
import { bundlePathProblem } from './bundlePath.js'

/** The `schema` field of every manifest this package writes and reads. */
export const MANIFEST_SCHEMA = 'peercompute/bundle@1'

/** World ids: lowercase letters, digits and `-`, 2..63 characters, starting with a letter or digit. */
export const WORLD_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/

// semver.org's recommended pattern.
const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/

/** An RFC 7638 SHA-256 JWK thumbprint: 43 base64url characters. */
export const THUMBPRINT_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** Marks zod issues raised by the path rules, so they become {@link BundlePathError}s. */
export const PATH_ISSUE = 'bundle-path'

const bundlePathSchema = z.string().superRefine((path, ctx) => {
  const problem = bundlePathProblem(path)
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: `path "${path}" ${problem}`, params: { kind: PATH_ISSUE } })
  }
})

/** One file of a bundle as its manifest lists it. */
export const bundleFileSchema = z.strictObject({
  path: bundlePathSchema,
  size: z.number().int().nonnegative().max(1024 ** 3),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
})

function manifestSchema(publisher: z.ZodType<string>) {
  return z
    .strictObject({
      schema: z.literal(MANIFEST_SCHEMA),
      id: z.string().regex(WORLD_ID_PATTERN, 'must match [a-z0-9][a-z0-9-]{1,62}'),
      name: z.string().min(1).max(128),
      version: z.string().max(128).regex(SEMVER_PATTERN, 'must be a semantic version such as 1.2.3'),
      publisher,
      parent: z.string().regex(WORLD_ID_PATTERN, 'must be a world id').nullable(),
      entry: bundlePathSchema,
      rules: z.record(z.string(), z.unknown()),
      files: z.array(bundleFileSchema).min(1).max(10_000),
      created: z.iso.datetime({ offset: true }),
      expires: z.iso.datetime({ offset: true }),
    })
    .superRefine((m, ctx) => {
      const seen = new Set<string>()
      m.files.forEach((file, i) => {
        if (seen.has(file.path)) {
          ctx.addIssue({
            code: 'custom',
            path: ['files', i, 'path'],
            message: `path "${file.path}" is listed twice`,
            params: { kind: PATH_ISSUE },
          })
        }
        seen.add(file.path)
      })
      if (!seen.has(m.entry)) {
        ctx.addIssue({ code: 'custom', path: ['entry'], message: `entry "${m.entry}" is not one of the listed files` })
      }
      if (Date.parse(m.expires) <= Date.parse(m.created)) {
        ctx.addIssue({ code: 'custom', path: ['expires'], message: 'must be later than created' })
      }
    })
}

/** A manifest ready to sign or verified: `publisher` is the publisher key's thumbprint. */
export const bundleManifestSchema = manifestSchema(
  z.string().regex(THUMBPRINT_PATTERN, 'must be the publisher key thumbprint (43 base64url characters)'),
)

/** A manifest as a build writes it, before a publisher is known: `publisher` may be ''. */
export const unsignedManifestSchema = manifestSchema(
  z.union([z.literal(''), z.string().regex(THUMBPRINT_PATTERN, 'must be a key thumbprint or empty')]),
)

/** One file of a bundle: its path, size in bytes and SHA-256 (lowercase hex). */
export type BundleFile = z.infer<typeof bundleFileSchema>

/**
 * What a bundle is: world id, version, parent world, entry file, partial rules and every file's
 * hash. Signed as the payload of a General JWS ({@link SignedManifest}).
 */
export interface BundleManifest {
  schema: typeof MANIFEST_SCHEMA
  /** World id: [a-z0-9][a-z0-9-]{1,62}. */
  id: string
  name: string
  /** Semantic version. */
  version: string
  /** RFC 7638 JWK thumbprint of the publisher's Ed25519 key ('' only in an unsigned build output). */
  publisher: string
  /** Parent world id; null only for the overworld. */
  parent: string | null
  /** Path of the entry file, one of `files`. */
  entry: string
  /** Partial basis rules, parsed by world-sdk. */
  rules: Record<string, unknown>
  files: BundleFile[]
  /** ISO-8601. */
  created: string
  /** ISO-8601; after this time verifiers refuse the bundle. */
  expires: string
}

/** A signed manifest: General JWS JSON serialization whose payload is the manifest's JSON. */
export interface SignedManifest {
  payload: string
  signatures: { protected: string; signature: string }[]
}

/** Who made a signature: the bundle's publisher, or a root that accepted (countersigned) it. */
export type SignatureRole = 'publisher' | 'root'

/** Protected header of every signature in a {@link SignedManifest}. */
export const signatureHeaderSchema = z.strictObject({
  alg: z.literal('EdDSA'),
  kid: z.string().regex(THUMBPRINT_PATTERN),
  role: z.enum(['publisher', 'root']),
})

const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'must be base64url')

/** Shape of a {@link SignedManifest} as it arrives over the network. */
export const signedManifestSchema = z.strictObject({
  payload: base64url.min(1),
  signatures: z
    .array(z.strictObject({ protected: base64url.min(1), signature: base64url.min(1) }))
    .min(1)
    .max(8),
})
