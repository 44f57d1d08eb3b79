import { BundleRollbackError } from './errors.js'

/**
 * Orders two semantic versions (semver.org precedence, build metadata ignored):
 * negative when `a` is older, positive when newer, 0 when equal.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = splitVersion(a)
  const [coreB, preB] = splitVersion(b)
  const numsA = coreA.split('.').map(Number)
  const numsB = coreB.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    const d = (numsA[i] ?? 0) - (numsB[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1
  const partsA = preA.split('.')
  const partsB = preB.split('.')
  for (let i = 0; i < Math.max(partsA.length, partsB.length); i++) {
    const x = partsA[i]
    const y = partsB[i]
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1
    if (x === y) continue
    const nx = /^\d+$/.test(x)
    const ny = /^\d+$/.test(y)
    if (nx && ny) return Math.sign(Number(x) - Number(y))
    if (nx !== ny) return nx ? -1 : 1
    return x < y ? -1 : 1
  }
  return 0
}

function splitVersion(v: string): [string, string | undefined] {
  const noBuild = v.split('+')[0] ?? ''
  const dash = noBuild.indexOf('-')
  return dash === -1 ? [noBuild, undefined] : [noBuild.slice(0, dash), noBuild.slice(dash + 1)]
}

/**
 * Refuses a rollback: throws {@link BundleRollbackError} when `version` of world `id` is older than
 * `lastSeen`, the newest version this verifier accepted before (none: `null` or `undefined`).
 * The same version again is allowed (a reload). Browsers keep `lastSeen` per world across reloads.
 */
export function checkNotRollback(id: string, version: string, lastSeen: string | null | undefined): void {
  if (lastSeen === null || lastSeen === undefined) return
  if (compareVersions(version, lastSeen) < 0) {
    throw new BundleRollbackError(
      `The "${id}" bundle is version ${version}, older than version ${lastSeen} already used here: ` +
        'an old (possibly vulnerable) copy is being replayed. Nothing from it was run. ' +
        "Reload; if it persists, tell the root's operator.",
    )
  }
}
