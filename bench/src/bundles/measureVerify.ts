import type * as Signing from '@peercompute/signing'

/** Timings of one bundle size: medians over the runs, in milliseconds. */
export interface VerifyTiming {
  megabytes: number
  files: number
  runs: number
  verifyMs: number
  sha256Ms: number
  /** The API of the baseline: the one `verifyBundle` hashes files with in this runtime. */
  sha256Api: string
}

/**
 * Builds and signs a bundle of each size (pseudo-random files of at most 16 MB), then times
 * `verifyBundle` (decode, publisher signature, every file's SHA-256) beside one plain SHA-256 of the
 * same bundle bytes, alternating which goes first. The baseline calls the standard API that
 * `verifyBundle` hashes with here (`signing.sha256.api`: node:crypto in Node, WebCrypto in a
 * browser) once on the whole bundle. `runsBySize` says how many timed runs each size gets (small
 * bundles take more, for a steady median; 15 when a size is not listed). Self-contained (no outer references) so that the same
 * code runs in Node and, passed as text, in a Chromium page.
 */
export async function measureVerify(
  signing: typeof Signing,
  sizesMB: number[],
  runsBySize: Record<number, number>,
): Promise<VerifyTiming[]> {
  const MB = 1_000_000
  const sha256Api = signing.sha256.api
  type NodeCrypto = { createHash(a: 'sha256'): { update(b: Uint8Array): { digest(): unknown } } }
  const nodeCrypto =
    sha256Api === 'node:crypto'
      ? ((globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } }).process.getBuiltinModule(
          'node:crypto',
        ) as NodeCrypto)
      : undefined
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
  const fill = (n: number, seed: number): Uint8Array => {
    const words = new Uint32Array(Math.ceil(n / 4))
    let x = seed | 1
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      words[i] = x >>> 0
    }
    return new Uint8Array(words.buffer, 0, n)
  }
  const key = await signing.generateSigningKey()
  const limits = { maxBundleBytes: 64 * 1024 * 1024, maxFileBytes: 20 * 1024 * 1024 }
  const out: VerifyTiming[] = []
  for (const size of sizesMB) {
    const count = Math.ceil((size * MB) / (16 * MB))
    const files = Array.from({ length: count }, (_, i) => ({
      path: `assets/blob-${i}.bin`,
      bytes: fill(Math.floor((size * MB) / count), size * 1000 + i + 1),
    }))
    files.push({ path: 'world.json', bytes: new TextEncoder().encode('{}') })
    files.sort((a, b) => (a.path < b.path ? -1 : 1))
    const manifest = await signing.buildManifest({
      id: 'bench', name: 'Bench', version: '1.0.0', parent: 'overworld', entry: 'world.json', rules: {}, publisher: '', files,
    })
    const bundle = await signing.signBundle(signing.encodeBundleFile({ manifest }, files), key, { limits })
    const verify = async (): Promise<number> => {
      const t = performance.now()
      await signing.verifyBundle(bundle, { limits })
      return performance.now() - t
    }
    const hash = async (): Promise<number> => {
      const t = performance.now()
      if (nodeCrypto === undefined) await crypto.subtle.digest('SHA-256', bundle as Uint8Array<ArrayBuffer>)
      else nodeCrypto.createHash('sha256').update(bundle).digest()
      return performance.now() - t
    }
    for (let w = 0; w < 3; w++) {
      await verify()
      await hash()
    }
    const runs = runsBySize[size] ?? 15
    const v: number[] = []
    const h: number[] = []
    for (let r = 0; r < runs; r++) {
      if (r % 2 === 0) {
        v.push(await verify())
        h.push(await hash())
      } else {
        h.push(await hash())
        v.push(await verify())
      }
    }
    out.push({ megabytes: size, files: files.length, runs, verifyMs: median(v), sha256Ms: median(h), sha256Api })
  }
  return out
}
