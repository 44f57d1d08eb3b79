import { describe, expect, it } from 'vitest'
import { bundlePathProblem } from '../src/index.js'

describe('bundlePathProblem', () => {
  it.each([
    'world.json',
    'assets/sky.txt',
    'a/b/c/d.bin',
    '.hidden',
    'a/.b',
    'a/...',
    'a/..b/c',
    'x'.repeat(256),
    'ünïcode/路径.json',
  ])('accepts %j', (path) => {
    expect(bundlePathProblem(path)).toBeNull()
  })

  it.each([
    ['', 'is empty'],
    ['x'.repeat(257), 'is longer than 256 characters'],
    ['a\\b', 'contains a backslash'],
    ['a\\..\u0001', 'contains a backslash'],
    ['a\u0000b', 'contains a control character'],
    ['a/\u001f', 'contains a control character'],
    ['a\u007f', 'contains a control character'],
    ['/etc/passwd', 'is absolute'],
    ['C:/x', 'is absolute'],
    ['c:x', 'is absolute'],
    ['../escape.js', 'climbs out of the bundle with ".."'],
    ['a/../../b', 'climbs out of the bundle with ".."'],
    ['a/..', 'climbs out of the bundle with ".."'],
    ['a/../', 'climbs out of the bundle with ".."'],
    ['./a', 'has an empty or "." segment'],
    ['a/./b', 'has an empty or "." segment'],
    ['a//b', 'has an empty or "." segment'],
    ['a/', 'has an empty or "." segment'],
    ['a/.', 'has an empty or "." segment'],
    // The first offending segment decides.
    ['a//../b', 'has an empty or "." segment'],
    ['a/./../b', 'has an empty or "." segment'],
    ['a/../b//c', 'climbs out of the bundle with ".."'],
  ])('refuses %j: it %s', (path, problem) => {
    expect(bundlePathProblem(path)).toBe(problem)
  })
})
