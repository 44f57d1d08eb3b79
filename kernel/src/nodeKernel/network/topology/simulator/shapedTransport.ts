import { memory } from '@libp2p/memory'
import type { ShapedNetwork } from './ShapedNetwork.js'
import type { MemoryTransportComponents } from '@libp2p/memory'
import type { CreateListenerOptions, DialTransportOptions, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'

interface SendSide {
  sendData(data: Uint8ArrayList): { sentBytes: number; canSendMore: boolean }
  sendClose(options?: unknown): Promise<void>
}

/**
 * libp2p's in-memory transport with every connection shaped by `network`: each chunk a node sends
 * is held until the time the link model gives it (latency, bandwidth, shared uplinks), in order.
 * Real libp2p streams (multistream-select, the muxer, the protocols) run on top unchanged.
 * For the topology simulator and tests: kernel traffic shaping (`tc netem`) is not available here.
 */
export function shapedTransport(network: ShapedNetwork) {
  return (components: MemoryTransportComponents): Transport => {
    const inner = memory()(components)
    const self = components.peerId.toString()
    const wrap = (upgrader: Upgrader): Upgrader => ({
      upgradeOutbound: (maConn: MultiaddrConnection, opts: never) => upgrader.upgradeOutbound(shape(network, self, maConn), opts),
      upgradeInbound: (maConn: MultiaddrConnection, opts: never) => upgrader.upgradeInbound(shape(network, self, maConn), opts)
    }) as Upgrader
    const transport: Transport = Object.create(inner)
    transport.dial = (ma: Multiaddr, options: DialTransportOptions) => inner.dial(ma, { ...options, upgrader: wrap(options.upgrader) })
    transport.createListener = (options: CreateListenerOptions) => inner.createListener({ ...options, upgrader: wrap(options.upgrader) })
    return transport
  }
}

function shape(network: ShapedNetwork, self: string, maConn: MultiaddrConnection): MultiaddrConnection {
  const remote = /\/p2p\/([^/]+)$/.exec(maConn.remoteAddr.toString())?.[1]
  if (remote == null) return maConn
  const side = maConn as unknown as SendSide
  const send = side.sendData.bind(side)
  const close = side.sendClose.bind(side)
  const queue: Array<{ at: number; run(): void }> = []
  let timer: ReturnType<typeof setTimeout> | null = null
  let last = 0
  const pump = (): void => {
    timer = null
    const now = performance.now()
    while (queue.length > 0 && (queue[0]?.at ?? Infinity) <= now + 0.5) {
      try { queue.shift()?.run() } catch { /* the connection was aborted meanwhile */ }
    }
    const head = queue[0]
    if (head != null) timer = setTimeout(pump, Math.max(0, head.at - now))
  }
  const enqueue = (at: number, run: () => void): void => {
    last = Math.max(last, at)
    queue.push({ at: last, run })
    if (timer == null) timer = setTimeout(pump, Math.max(0, last - performance.now()))
  }
  side.sendData = (data) => {
    const at = network.schedule(self, remote, data.byteLength)
    enqueue(at, () => { send(data) })
    return { sentBytes: data.byteLength, canSendMore: true }
  }
  side.sendClose = async (options) => {
    await new Promise<void>((resolve) => { enqueue(last, resolve) })
    await close(options)
  }
  return maConn
}
