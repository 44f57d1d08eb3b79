import type { PeerComputeNode } from '@peercompute/kernel'

declare global {
  interface Window {
    /** The running PeerCompute node of the page (set by the client once it runs). */
    peercompute: PeerComputeNode
  }
}
