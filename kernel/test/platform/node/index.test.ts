import { generate } from 'selfsigned'
import { describe, expect, it } from 'vitest'
import { createNode } from '../../../src/createNode.js'
import { nodePlatform } from '../../../src/platform/node/index.js'
import { testWorld, waitFor } from '../../fixtures/testWorld.js'

describe('nodePlatform', () => {
  it('runs a root on WSS (/tls/ws) with a self-signed certificate that a peer joins', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]
    })
    // The throwaway certificate is not in any trust store; this test process trusts it by fiat.
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
    const root = await createNode({ platform: nodePlatform({ role: 'root', https: { cert: pems.cert, key: pems.private } }) })
    let peer: Awaited<ReturnType<typeof createNode>> | null = null
    try {
      await root.start()
      const addr = root.kernel.network.libp2p()!.getMultiaddrs()[0]!.toString()
      expect(addr).toMatch(/\/tls\/ws\/p2p\//)
      peer = await createNode({ platform: nodePlatform(), name: 'tls-peer', bootstrap: [addr] })
      await peer.start()
      await peer.kernel.enterWorld(testWorld())
      await waitFor('the root to see the peer', () => root.getStatus().players.some((p) => p.name === 'tls-peer'))
      expect(peer.getStatus().peers[0]?.transport).toBe('websockets')
    } finally {
      await peer?.stop()
      await root.stop()
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous
    }
  })

  it('says what to do when the root cannot be reached', async () => {
    const peer = await createNode({ platform: nodePlatform(), bootstrap: ['/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'] })
    await expect(peer.start()).rejects.toMatchObject({ name: 'RootUnreachableError' })
    expect(peer.getStatus().started).toBe(false)
  })
})
