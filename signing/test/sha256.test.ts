import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { nodeSha256, sha256, webCryptoSha256 } from '../src/sha256.js'
import type { Sha256 } from '../src/sha256.js'
import { enc } from './fixtures.js'

const MiB = 1024 * 1024

/** Pseudo-random bytes (xorshift), so that every slice of a long input differs. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed | 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

const reference = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** nodeSha256 with a yield that counts its calls and hands control back to the event loop. */
function countingNodeSha256(): { impl: Sha256; yields: () => number } {
  let yields = 0
  const impl = nodeSha256({ createHash }, async () => {
    yields++
    await new Promise<void>((resolve) => setImmediate(resolve))
  })
  return { impl, yields: () => yields }
}

describe.each([
  ['WebCrypto', webCryptoSha256],
  ['node:crypto', countingNodeSha256().impl],
])('%s SHA-256', (api, impl) => {
  it('names its API', () => {
    expect(impl.api).toBe(api)
  })

  it('gives the FIPS 180-2 test vectors', async () => {
    expect(await impl.hex([enc(''), enc('abc'), enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')])).toEqual([
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ])
  })

  it('hashes inputs around and across its 1 MiB slices, in order', async () => {
    const sizes = [1, 64 * 1024 - 1, 64 * 1024, MiB - 1, MiB, MiB + 1, 3 * MiB + 7]
    const inputs = sizes.map((n, i) => noise(n, i + 1))
    expect(await impl.hex(inputs)).toEqual(inputs.map(reference))
  })

  it('hashes views into a larger buffer by their own bytes only', async () => {
    const whole = noise(2 * MiB + 100, 9)
    const views = [whole.subarray(3, 3 + MiB + 5), whole.subarray(MiB + 50, MiB + 60), whole.subarray(7, 7)]
    expect(await impl.hex(views)).toEqual(views.map(reference))
  })
})

describe('nodeSha256', () => {
  it('lets the event loop run before each 1 MiB it hashes, and not for small inputs', async () => {
    const small = countingNodeSha256()
    await small.impl.hex([noise(1000, 1), noise(2000, 2)])
    expect(small.yields()).toBe(0)

    const large = countingNodeSha256()
    // 3 MiB + 7 bytes over three files: four slices of at most 1 MiB, each after a yield.
    await large.impl.hex([noise(MiB + 7, 1), noise(2 * MiB - 3, 2), noise(3, 3)])
    expect(large.yields()).toBe(4)
  })

  it('lets work queued before it run before it finishes a long input', async () => {
    const order: string[] = []
    const hashing = sha256.hex([noise(2 * MiB, 5)]).then(() => order.push('hashed'))
    setImmediate(() => order.push('immediate'))
    await hashing
    expect(order).toEqual(['immediate', 'hashed'])
  })
})

describe('sha256', () => {
  it('is node:crypto under Node', () => {
    expect(sha256.api).toBe('node:crypto')
  })
})
