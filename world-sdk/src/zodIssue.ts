import type { z } from 'zod'

/** The value found at a zod issue's path in `input`, for error messages that quote it. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

/** `field` (dotted path) and quoted value of a zod error's first issue. */
export function describeIssue(error: z.ZodError, input: unknown): { field: string; value: string; problem: string } {
  const issue = error.issues[0]
  // An unknown field is reported on its parent object; name the field itself.
  const path = issue?.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : (issue?.path ?? [])
  let value: string
  try {
    value = JSON.stringify(valueAt(input, path)) ?? 'nothing'
  } catch {
    value = 'an unreadable value'
  }
  if (value.length > 80) value = `${value.slice(0, 77)}...`
  return {
    field: path.length > 0 ? path.map(String).join('.') : '(top level)',
    value,
    problem: issue?.code === 'unrecognized_keys' ? 'no such field' : (issue?.message ?? 'unknown problem'),
  }
}
