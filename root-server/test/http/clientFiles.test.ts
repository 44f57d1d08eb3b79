import { describe, expect, it } from 'vitest'
import { safeSegments } from '../../src/http/clientFiles.js'

describe('safeSegments', () => {
  it('splits ordinary paths', () => {
    expect(safeSegments('/')).toEqual([])
    expect(safeSegments('/assets/index-abc.js')).toEqual(['assets', 'index-abc.js'])
    expect(safeSegments('/a%20b/./c')).toEqual(['a b', 'c'])
  })

  it.each(['/../package.json', '/%2e%2e/package.json', '/assets/%2E%2E/%2e%2e/x', '/..%2fpackage.json', '/a%5c..%5cb', '/%00', '/%zz', '/.env', 'relative'])(
    'refuses %s',
    (path) => {
      expect(safeSegments(path)).toBeNull()
    },
  )
})
