// Imported first by the Node platform: libp2p 3 expects Node 22's globals.
import { BrowserLikeWebSocket } from './browserLikeWebSocket.js'

if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  // libp2p 3 calls Promise.withResolvers (Node 22+); Node 20 lacks it.
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}

if (typeof globalThis.WebSocket === 'undefined') {
  // @libp2p/websockets dials with the global WebSocket, which Node 20 has only behind a flag.
  Object.defineProperty(globalThis, 'WebSocket', { configurable: true, writable: true, value: BrowserLikeWebSocket })
}

export {}
