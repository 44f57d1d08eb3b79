import { describe, expect, it } from 'vitest'
import { BundleRollbackError, checkNotRollback, compareVersions } from '../src/index.js'

describe('compareVersions and checkNotRollback', () => {
  it('orders versions by semver precedence', () => {
    const sorted = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0']
    for (let i = 1; i < sorted.length; i++) expect(compareVersions(sorted[i - 1]!, sorted[i]!)).toBe(-1)
    expect(compareVersions('1.0.0+build.1', '1.0.0')).toBe(0)
  })

  it('refuses an older version than the last seen, allows the same or newer', () => {
    expect(() => checkNotRollback('garden', '1.0.0', null)).not.toThrow()
    expect(() => checkNotRollback('garden', '1.0.0', '1.0.0')).not.toThrow()
    expect(() => checkNotRollback('garden', '1.1.0', '1.0.0')).not.toThrow()
    expect(() => checkNotRollback('garden', '0.9.0', '1.0.0')).toThrow(BundleRollbackError)
    expect(() => checkNotRollback('garden', '0.9.0', '1.0.0')).toThrow(/"garden" bundle is version 0\.9\.0, older than version 1\.0\.0/)
  })
})
