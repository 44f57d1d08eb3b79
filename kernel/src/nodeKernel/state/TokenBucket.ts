/** Options of a per-peer token bucket. */
export interface TokenBucketInit {
  /** Tokens added per second. */
  ratePerSecond: number
  /** Most tokens held at once: the burst allowed after a quiet spell. */
  burst: number
}

/**
 * Per-key token buckets: each key may spend `burst` at once and `ratePerSecond` on average.
 * Buckets refill lazily on use, so there is no timer to leak.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(private readonly init: TokenBucketInit, private readonly now: () => number = Date.now) {}

  /** Spends one token of `key`'s bucket; false when the bucket is empty (the caller drops the message). */
  take(key: string): boolean {
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.init.burst, at: now }
    bucket.tokens = Math.min(this.init.burst, bucket.tokens + (now - bucket.at) / 1000 * this.init.ratePerSecond)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Forgets `key` (a peer that left). */
  delete(key: string): void {
    this.buckets.delete(key)
  }

  clear(): void {
    this.buckets.clear()
  }
}
