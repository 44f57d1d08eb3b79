import type { PeerTransport } from '../KernelEvents.js'
import type { Connection } from '@libp2p/interface'

const RANK: Record<PeerTransport, number> = { webrtc: 3, websockets: 2, relay: 1, other: 0 }

/**
 * How a connection is carried. On the dialer a WebRTC connection's remote address still holds
 * `/p2p-circuit` (`…/p2p-circuit/webrtc/p2p/B`), so WebRTC is checked first (notes/libp2p.md, 7).
 */
export function transportOf(connection: Pick<Connection, 'multiplexer' | 'remoteAddr'>): PeerTransport {
  const parts = connection.remoteAddr.toString().split('/')
  if (connection.multiplexer === '/webrtc' || parts.includes('webrtc') || parts.includes('webrtc-direct')) return 'webrtc'
  if (parts.includes('p2p-circuit')) return 'relay'
  if (parts.includes('ws') || parts.includes('wss')) return 'websockets'
  return 'other'
}

/** The best of several transports to one peer (a direct WebRTC link beats the relay it replaced). */
export function bestTransport(transports: PeerTransport[]): PeerTransport {
  return transports.reduce<PeerTransport>((best, t) => (RANK[t] > RANK[best] ? t : best), 'other')
}

/** The last `/p2p/<id>` of a multiaddr string, or null. */
export function peerIdOfAddr(addr: string): string | null {
  const m = /\/p2p\/([^/]+)$/.exec(addr)
  return m == null ? null : (m[1] as string)
}
