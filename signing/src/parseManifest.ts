import type { z } from 'zod'
import { BundleFormatError, BundlePathError } from './errors.js'
import { PATH_ISSUE, bundleManifestSchema, unsignedManifestSchema } from './manifestSchema.js'
import type { BundleManifest } from './manifestSchema.js'

function issueText(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'
  return `${where}: ${issue.message}`
}

/**
 * Parses a manifest (signed when `signed`, else a build output whose publisher may be ''),
 * throwing {@link BundlePathError} for path problems and {@link BundleFormatError} for the rest.
 * `advice` ends each message: what the reader should do.
 */
export function parseManifest(input: unknown, opts: { signed: boolean; advice: string }): BundleManifest {
  const schema = opts.signed ? bundleManifestSchema : unsignedManifestSchema
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const pathIssue = result.error.issues.find(
    (i) => i.code === 'custom' && (i.params as { kind?: unknown } | undefined)?.kind === PATH_ISSUE,
  )
  const id = typeof (input as { id?: unknown } | null)?.id === 'string' ? `"${(input as { id: string }).id}" ` : ''
  if (pathIssue !== undefined) {
    throw new BundlePathError(
      `The ${id}bundle lists an unsafe file path (${issueText(pathIssue)}); paths must be relative, ` +
        `without "..", a leading "/" or backslashes, and unique. Nothing from it was run. ${opts.advice}`,
    )
  }
  const first = result.error.issues[0]
  throw new BundleFormatError(
    `The ${id}bundle manifest is malformed (${first === undefined ? 'unknown problem' : issueText(first)}). ` +
      `Nothing from it was run. ${opts.advice}`,
  )
}
