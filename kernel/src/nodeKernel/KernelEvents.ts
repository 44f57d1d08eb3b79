import type { WorldChannel } from './worldTopics.js'

/** How a connection to a peer is carried. */
export type PeerTransport = 'webrtc' | 'websockets' | 'relay' | 'other'

/** A chat line as stored in the world document. */
export interface ChatMessage {
  /** The sender's peerId. */
  author: string
  /** The sender's display name when sent. */
  name: string
  /** The sender's clock, ms since the epoch. */
  time: number
  text: string
}

/** Why an incoming message was refused at the boundary. */
export type DropReason = 'size' | 'shape' | 'spoofed' | 'rate' | 'decode' | 'full'

/** Events a NodeKernel emits for bindings (client HUD, root metrics). */
export interface KernelEvents {
  'player:join': CustomEvent<{ peerId: string; name: string }>
  'player:leave': CustomEvent<{ peerId: string }>
  'peer:connect': CustomEvent<{ peerId: string; transport: PeerTransport }>
  'peer:disconnect': CustomEvent<{ peerId: string }>
  'message:dropped': CustomEvent<{ channel: WorldChannel; from: string; reason: DropReason }>
  'chat:message': CustomEvent<ChatMessage>
  /** A presence sample was accepted; times are `wallClock()` ms on the sender and on this node. */
  'presence:update': CustomEvent<{ peerId: string; sentAt: number; receivedAt: number }>
  /** A failure in a background part (the physics worker) that the binding should show. */
  'error': CustomEvent<Error>
}
