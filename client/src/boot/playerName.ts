/** Where the last name a player chose is remembered between visits. */
export const PLAYER_NAME_STORAGE_KEY = 'peercompute.playerName'

/** Longest display name, in characters. */
export const PLAYER_NAME_MAX_LENGTH = 24

const ALLOWED = /^[\p{L}\p{N}][\p{L}\p{N} _.-]*$/u

/** A display name was refused; the message says what to change. */
export class PlayerNameError extends Error {
  override name = 'PlayerNameError'
}

/**
 * Why a display name is refused, or `null` when it is fine. Names are trimmed first; they are
 * 1..24 letters, digits, spaces, `_`, `.` or `-`, starting with a letter or digit, since other
 * players see them over avatars and in chat.
 */
export function playerNameProblem(raw: string): string | null {
  const name = raw.trim()
  if (name.length === 0) return 'Type a name of at least one character.'
  if ([...name].length > PLAYER_NAME_MAX_LENGTH) return `Keep the name to ${PLAYER_NAME_MAX_LENGTH} characters or fewer.`
  if (!ALLOWED.test(name)) return 'Use letters, digits, spaces, "_", "." or "-", starting with a letter or digit.'
  return null
}

/** Returns the trimmed name, or throws {@link PlayerNameError} saying what to change. */
export function parsePlayerName(raw: string): string {
  const problem = playerNameProblem(raw)
  if (problem !== null) throw new PlayerNameError(problem)
  return raw.trim()
}
