import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import { afterEach, describe, expect, it } from 'vitest'
// Node's WebSocket global for the dialing side, as the kernel's Node platform installs it.
import '../../../src/platform/node/polyfills.js'
import { HostWatch } from '../../../src/nodeKernel/worlds/hostWatch.js'
import { waitFor } from '../../fixtures/testWorld.js'

const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Each ping's wait: long enough that a live host on a loaded test machine answers within it. */
const TIMEOUT_MS = 1000

/** A real libp2p node on a loopback WebSocket. */
function peer(): Promise<Libp2p<{ ping: Ping }>> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // The tests freeze answers on purpose: libp2p's own monitor must not close the link meanwhile.
    connectionMonitor: { enabled: false },
    services: { ping: ping() }
  })
}

/** The host stops answering pings while its link stays open, as a closed or frozen page's WebRTC link does. */
async function freeze(host: Libp2p): Promise<void> {
  await host.unhandle(PING_PROTOCOL)
  await host.handle(PING_PROTOCOL, () => {}, { runOnLimitedConnection: true })
}

const nodes: Libp2p[] = []
const watches: HostWatch[] = []
afterEach(async () => {
  for (const watch of watches.splice(0)) watch.stop()
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

/** A member linked to a host, and a watch on the host whose presence silence the test sets. */
async function watchedHost(): Promise<{ member: Libp2p<{ ping: Ping }>; host: Libp2p<{ ping: Ping }>; gone: string[]; answers: () => number; silence: { ms: number }; watch: HostWatch }> {
  const [member, host] = await Promise.all([peer(), peer()])
  nodes.push(member, host)
  await member.dial(host.getMultiaddrs()[0]!)
  const hostId = host.peerId.toString()
  const gone: string[] = []
  let answered = 0
  const silence = { ms: Number.POSITIVE_INFINITY }
  const watch = new HostWatch({ intervalMs: 100, timeoutMs: TIMEOUT_MS }, {
    libp2p: () => member,
    host: () => hostId,
    silentFor: () => silence.ms,
    onAnswer: () => { answered++ },
    onGone: (id) => { gone.push(id) }
  })
  watches.push(watch)
  return { member, host, gone, answers: () => answered, silence, watch }
}

describe('HostWatch', () => {
  it('calls a host that stops answering, its link open and its presence silent, gone', async () => {
    const { host, gone, answers, watch } = await watchedHost()
    watch.start()
    await waitFor('the host to answer', () => answers() > 2)
    expect(gone).toEqual([])
    await freeze(host)
    await waitFor('the host to be called gone', () => gone.length > 0)
    expect(gone[0]).toBe(host.peerId.toString())
  })

  it('does not call a host gone while its presence still arrives, however its pings fare', async () => {
    const { host, gone, silence, watch } = await watchedHost()
    silence.ms = 0
    watch.start()
    await freeze(host)
    // Four timeouts' worth of unanswered pings.
    await sleep(4 * TIMEOUT_MS)
    expect(gone).toEqual([])
    silence.ms = Number.POSITIVE_INFINITY
    await waitFor('the host to be called gone once its presence is silent', () => gone.length > 0)
  })

  it('counts no miss for a ping refused because another ping to the host is in flight', async () => {
    const { member, host, gone, watch } = await watchedHost()
    await freeze(host)
    // Another service's ping (the network manager's RTT ping) holds the one outbound ping stream.
    const held = member.services.ping.ping(host.peerId, { signal: AbortSignal.timeout(4 * TIMEOUT_MS) }).catch((err: unknown) => err)
    await sleep(50)
    watch.start()
    await sleep(3 * TIMEOUT_MS)
    expect(gone).toEqual([])
    expect(await held).toMatchObject({ name: 'TimeoutError' })
    // Once the slot is free, the watch's own unanswered pings count.
    await waitFor('the host to be called gone', () => gone.length > 0)
  })

  it("counts no miss for a timeout that fired late because this node's own thread was stalled", async () => {
    const { gone, answers, watch } = await watchedHost()
    watch.start()
    await waitFor('the host to answer', () => answers() > 0)
    for (let stall = 0; stall < 4; stall++) {
      // Blocks the event loop with a ping in flight, past its timeout and the lateness that still counts.
      const until = Date.now() + TIMEOUT_MS + 1500
      while (Date.now() < until) { /* stalled */ }
      await sleep(150)
    }
    await sleep(500)
    expect(gone).toEqual([])
  })

  it('stops pinging when stopped', async () => {
    const { host, gone, answers, watch } = await watchedHost()
    watch.start()
    await waitFor('the host to answer', () => answers() > 0)
    watch.stop()
    await sleep(150)
    const after = answers()
    await freeze(host)
    await sleep(3 * TIMEOUT_MS)
    expect(answers()).toBe(after)
    expect(gone).toEqual([])
  })
})
