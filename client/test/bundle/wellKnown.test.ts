import { describe, expect, it } from 'vitest'
import { loadWellKnown } from '../../src/bundle/wellKnown.js'

const good = {
  protocol: 'peercompute/1', name: 'Local root', version: '0.1.0',
  rootKey: { kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k' }, peerId: '12D3KooW',
  multiaddrs: ['/dns4/localhost/tcp/8444/tls/ws/p2p/12D3KooW'], overworld: 'overworld',
  iceServers: [], versions: { root: '0.1.0', kernel: '0.1.0', libp2p: '3.3.11' },
}
const serve = (body: unknown, status = 200) => async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })

describe('loadWellKnown', () => {
  it('parses the root description', async () => {
    const wk = await loadWellKnown(serve(good))
    expect(wk.rootKey.crv).toBe('Ed25519')
    expect(wk.multiaddrs).toHaveLength(1)
  })

  it('names the bad field when the description is malformed', async () => {
    await expect(loadWellKnown(serve({ ...good, rootKey: { kty: 'RSA' } }))).rejects.toMatchObject({ name: 'WellKnownError', message: expect.stringMatching(/rootKey/) })
    await expect(loadWellKnown(serve('<html>'))).rejects.toMatchObject({ name: 'WellKnownError' })
  })

  it('turns an HTTP error into RootFetchError', async () => {
    await expect(loadWellKnown(serve('down', 503))).rejects.toMatchObject({ name: 'RootFetchError', message: expect.stringMatching(/503/) })
  })
})
