import { describe, expect, it } from 'vitest'
import { RegistryConfigError, registryConfigFromEnv } from '../../src/registry/registryConfig.js'

const T = 'A'.repeat(43)

describe('registryConfigFromEnv', () => {
  it('is open with 50 MiB / 20 MiB limits by default', () => {
    expect(registryConfigFromEnv({})).toEqual({ publishers: 'open', limits: { maxBundleBytes: 50 * 1024 ** 2, maxFileBytes: 20 * 1024 ** 2 } })
  })

  it('reads an allowlist and limits', () => {
    const c = registryConfigFromEnv({ PEERCOMPUTE_PUBLISHERS: `${T}, ${'B'.repeat(43)}`, PEERCOMPUTE_MAX_BUNDLE_MB: '10', PEERCOMPUTE_MAX_FILE_MB: '0.5' })
    expect(c).toEqual({ publishers: [T, 'B'.repeat(43)], limits: { maxBundleBytes: 10 * 1024 ** 2, maxFileBytes: 512 * 1024 } })
  })

  it('refuses what it cannot use, naming the variable', () => {
    expect(() => registryConfigFromEnv({ PEERCOMPUTE_PUBLISHERS: 'alice' })).toThrow(RegistryConfigError)
    expect(() => registryConfigFromEnv({ PEERCOMPUTE_MAX_FILE_MB: 'lots' })).toThrow(/PEERCOMPUTE_MAX_FILE_MB/)
  })
})
