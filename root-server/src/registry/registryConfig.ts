import { DEFAULT_BUNDLE_LIMITS, THUMBPRINT_PATTERN } from '@peercompute/signing'
import type { BundleLimits } from '@peercompute/signing'

/** Who may publish and how large a bundle may be, as a root's operator configures it. */
export interface RegistryConfig {
  /** 'open', or the RFC 7638 thumbprints of the publisher keys allowed to publish. @default 'open' */
  publishers: 'open' | string[]
  limits: BundleLimits
}

/** A registry setting that cannot be used; the message names the variable and what it must be. */
export class RegistryConfigError extends Error {
  override name = 'RegistryConfigError'
}

/**
 * Reads the registry's settings from the environment:
 * - `PEERCOMPUTE_PUBLISHERS`: `open` (default) or publisher key thumbprints separated by commas or spaces
 *   (`peercompute keygen` prints a key's thumbprint);
 * - `PEERCOMPUTE_MAX_BUNDLE_MB` (default 50) and `PEERCOMPUTE_MAX_FILE_MB` (default 20).
 */
export function registryConfigFromEnv(env: Record<string, string | undefined>): RegistryConfig {
  const raw = (env['PEERCOMPUTE_PUBLISHERS'] ?? '').trim()
  let publishers: RegistryConfig['publishers'] = 'open'
  if (raw !== '' && raw !== 'open') {
    publishers = raw.split(/[\s,]+/).filter((t) => t !== '')
    const bad = publishers.find((t) => !THUMBPRINT_PATTERN.test(t))
    if (bad !== undefined) {
      throw new RegistryConfigError(
        `PEERCOMPUTE_PUBLISHERS must be "open" or key thumbprints (43 base64url characters) separated by commas; "${bad}" is not one.`,
      )
    }
  }
  return {
    publishers,
    limits: {
      maxBundleBytes: megabytes(env, 'PEERCOMPUTE_MAX_BUNDLE_MB', DEFAULT_BUNDLE_LIMITS.maxBundleBytes),
      maxFileBytes: megabytes(env, 'PEERCOMPUTE_MAX_FILE_MB', DEFAULT_BUNDLE_LIMITS.maxFileBytes),
    },
  }
}

function megabytes(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0 || n > 4096) {
    throw new RegistryConfigError(`${name} must be a number of MiB between 0 and 4096, got "${raw}".`)
  }
  return Math.floor(n * 1024 * 1024)
}
