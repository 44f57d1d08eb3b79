/** How far this node trusts each peer's results, from what spot checks found. */
export interface PeerScore { score: number; verified: number; mismatches: number }

/**
 * Peer scores for compute: a checked chunk that matched raises a peer's score a little, a mismatch
 * lowers it by a whole point. A peer below zero gets no more chunks from this node.
 */
export class PeerScores {
  private readonly scores = new Map<string, PeerScore>()

  get(peerId: string): PeerScore {
    return this.scores.get(peerId) ?? { score: 0, verified: 0, mismatches: 0 }
  }

  usable(peerId: string): boolean { return this.get(peerId).score >= 0 }

  matched(peerId: string): void {
    const s = this.get(peerId)
    this.scores.set(peerId, { ...s, score: Math.min(1, s.score + 0.1), verified: s.verified + 1 })
  }

  mismatched(peerId: string): void {
    const s = this.get(peerId)
    this.scores.set(peerId, { ...s, score: s.score - 1, mismatches: s.mismatches + 1 })
  }

  all(): Record<string, PeerScore> { return Object.fromEntries(this.scores) }
}
