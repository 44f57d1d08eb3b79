/**
 * The first segment that is empty, `.` or `..`: found by one scan of the path rather than by
 * splitting it into an array (this runs twice for every file of every bundle verified).
 */
const BAD_SEGMENT = /(?:^|\/)(\.{0,2})(?:\/|$)/

/**
 * Why a bundle path is unsafe, or `null` when it is safe. A safe path is relative, uses `/`
 * between non-empty segments, has no `.` or `..` segment, no backslash, no control characters,
 * and at most 256 characters.
 */
export function bundlePathProblem(path: string): string | null {
  if (path.length === 0) return 'is empty'
  if (path.length > 256) return 'is longer than 256 characters'
  if (path.includes('\\')) return 'contains a backslash'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character'
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) return 'is absolute'
  const bad = BAD_SEGMENT.exec(path)
  if (bad === null) return null
  return bad[1] === '..' ? 'climbs out of the bundle with ".."' : 'has an empty or "." segment'
}
