import { describe, expect, it } from 'vitest'
import { compareVersions } from '../../src/bundles/compareVersions.js'

describe('compareVersions', () => {
  it('orders by semver precedence', () => {
    const sorted = ['1.0.0', '0.9.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0-alpha.beta', '1.10.0', '1.2.0', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-rc.1']
    sorted.sort(compareVersions)
    expect(sorted).toEqual(['0.9.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0'])
  })

  it('ignores build metadata', () => {
    expect(compareVersions('1.0.0+a', '1.0.0+b')).toBe(0)
  })
})
