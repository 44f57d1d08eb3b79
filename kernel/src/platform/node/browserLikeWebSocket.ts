import { WebSocket as WsWebSocket } from 'ws'
import type { ClientOptions } from 'ws'

/**
 * The `ws` WebSocket as a browser's behaves in one respect: an 'error' nobody listens for is dropped.
 * Node's `ws` throws it instead, so a connect error that lands after libp2p's transport stopped
 * listening (a root that just went down, a listener answering 503 while it closes) would end the
 * process with an uncaught exception.
 */
export class BrowserLikeWebSocket extends WsWebSocket {
  constructor(url: string | URL, protocols?: string | string[], options?: ClientOptions) {
    super(url, protocols, options)
    this.on('error', () => undefined)
  }
}
