import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BrowserLikeWebSocket } from '../../../src/platform/node/browserLikeWebSocket.js'

describe('BrowserLikeWebSocket', () => {
  const servers: Array<ReturnType<typeof createServer>> = []
  afterEach(async () => { await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve)))) })

  /** A listener that refuses every upgrade with 503, as a libp2p WebSocket listener does while it closes. */
  async function refusing(): Promise<string> {
    const server = createServer((_req, res) => { res.writeHead(503).end() })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`
  }

  it('drops a connect error nobody listens for instead of throwing it, and closes', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (err: unknown): void => { uncaught.push(err) }
    process.on('uncaughtException', onUncaught)
    try {
      const socket = new BrowserLikeWebSocket(await refusing())
      await new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
      expect(socket.readyState).toBe(BrowserLikeWebSocket.CLOSED)
      expect(uncaught).toEqual([])
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })

  it('still hands the error to a listener that asks for it', async () => {
    const socket = new BrowserLikeWebSocket(await refusing())
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve))
    expect(error.message).toContain('503')
  })
})
