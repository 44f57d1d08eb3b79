/** A SHA-256 implementation: lowercase hex digests of byte arrays. */
export interface Sha256 {
  /** The standard API that computes the digests, as benchmarks name their baseline. */
  readonly api: 'node:crypto' | 'WebCrypto'
  /** SHA-256 of each input, as lowercase hex, in the order given. */
  hex(inputs: readonly Uint8Array[]): Promise<string[]>
}

/**
 * WebCrypto's digest: what browsers have (Node has it too, but see {@link nodeSha256}). Chromium
 * computes each digest inline, in the call; Firefox and Safari on a crypto thread.
 */
export const webCryptoSha256: Sha256 = {
  api: 'WebCrypto',
  hex: (inputs) =>
    Promise.all(
      inputs.map(async (bytes) => toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)))),
    ),
}

/** The parts of Node's `node:crypto` used here (this package has no Node types: it also builds for browsers). */
export interface NodeCryptoHashing {
  createHash(algorithm: 'sha256'): NodeHash
}
interface NodeHash {
  update(data: Uint8Array): NodeHash
  digest(encoding: 'hex'): string
}

/** Hashing this many bytes holds the thread for about half a millisecond; it yields in between. */
const SLICE_BYTES = 1024 * 1024
/** Below this much input, letting other work run first costs more than the hashing it would overlap. */
const YIELD_FROM_BYTES = 64 * 1024

/**
 * Node's `createHash`, on the calling thread. WebCrypto in Node copies every input into fresh
 * memory and hands each digest to the thread pool and back; measured on bundles of 1 to 50 MB it
 * took 1.2 to 2 times as long as `createHash`, which reads the bytes in place. So that the thread
 * is never held long, it hashes at most 1 MiB at a time and lets the event loop run before each
 * stretch: that also lets work the caller started just before (a signature check, which WebCrypto
 * runs on the thread pool) reach its thread first and run alongside.
 */
export function nodeSha256(nodeCrypto: NodeCryptoHashing, yieldToEventLoop: () => Promise<void>): Sha256 {
  return {
    api: 'node:crypto',
    async hex(inputs) {
      const total = inputs.reduce((n, bytes) => n + bytes.byteLength, 0)
      // Bytes left to hash before the next yield; small jobs never yield.
      let budget = total < YIELD_FROM_BYTES ? Number.POSITIVE_INFINITY : 0
      const out: string[] = []
      for (const bytes of inputs) {
        const hash = nodeCrypto.createHash('sha256')
        for (let at = 0; at < bytes.byteLength; ) {
          if (budget === 0) {
            await yieldToEventLoop()
            budget = SLICE_BYTES
          }
          const n = Math.min(budget, bytes.byteLength - at)
          hash.update(n === bytes.byteLength ? bytes : bytes.subarray(at, at + n))
          at += n
          budget -= n
        }
        out.push(hash.digest('hex'))
      }
      return out
    },
  }
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/** Lowercase hex of `bytes` (a table lookup a byte: formatting each one costs more than the digest of a small file). */
function toHex(bytes: Uint8Array): string {
  let hex = ''
  for (let i = 0; i < bytes.length; i++) hex += HEX_PAIRS[bytes[i] as number]
  return hex
}

interface NodeTimersPromises {
  setImmediate(): Promise<void>
}

/** Node's built-in module `id`, or undefined outside Node (and in Node before 20.16). */
function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return proc?.getBuiltinModule?.(id) as T | undefined
}

function runtimeSha256(): Sha256 {
  const nodeCrypto = nodeBuiltin<NodeCryptoHashing>('node:crypto')
  const timers = nodeBuiltin<NodeTimersPromises>('node:timers/promises')
  if (nodeCrypto === undefined || timers === undefined) return webCryptoSha256
  return nodeSha256(nodeCrypto, () => timers.setImmediate())
}

/**
 * The fastest SHA-256 this runtime has: {@link nodeSha256} in Node (found through
 * `process.getBuiltinModule`, so that nothing imports `node:crypto` where a bundler or a browser
 * would trip on it), else {@link webCryptoSha256}. Every file hash of this package goes through it.
 */
export const sha256: Sha256 = runtimeSha256()
