import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { DHT_PROTOCOL, gossipsubOptions } from '../libp2pOptions.js'
import { WorkerUnavailableError } from '../Platform.js'
import type { KernelLibp2p, NetworkInit, Platform, WorkerKind } from '../Platform.js'
import type { WorkerPort } from '../WorkerPort.js'

export interface BrowserPlatformInit {
  /**
   * Worker factories, one per kind. The client makes the Worker objects because bundlers (Vite)
   * only see `new Worker(new URL('./x.worker.ts', import.meta.url), { type: 'module' })` in app code.
   */
  workers?: Partial<Record<WorkerKind, () => Worker>>
  /** Allow dialing loopback and plain `ws://` addresses (tests and a local root). @default false */
  allowLoopback?: boolean
  /** STUN/TURN servers for WebRTC (the root's well-known `iceServers`). @default [] */
  iceServers?: RTCIceServer[]
}

/**
 * The platform for browsers. The libp2p node must live on the main thread: RTCPeerConnection does
 * not exist in dedicated workers, and @libp2p/webrtc cannot be split across threads. Physics and
 * compute run in workers; networking does not.
 */
export function browserPlatform(init: BrowserPlatformInit = {}): Platform {
  return {
    kind: 'browser',
    role: 'peer',
    createLibp2p: async (network: NetworkInit) => {
      const node = await createLibp2p({
        start: false,
        ...(network.privateKey == null ? {} : { privateKey: network.privateKey }),
        // '/p2p-circuit' reserves a slot on the relay (the root); '/webrtc' accepts direct upgrades.
        addresses: { listen: ['/p2p-circuit', '/webrtc'] },
        transports: [
          webSockets(),
          // Explicit ICE servers: the default would be public STUN servers (notes/libp2p.md, 5).
          webRTC({ rtcConfiguration: { iceServers: init.iceServers ?? [] } }),
          circuitRelayTransport()
        ],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        // Browsers refuse private and ws:// addresses by default; a local root needs them.
        ...(init.allowLoopback === true ? { connectionGater: { denyDialMultiaddr: () => false } } : {}),
        services: {
          identify: identify(),
          ping: ping(),
          pubsub: gossipsub(gossipsubOptions('peer', network.gossipScorer)),
          dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: true })
        }
      })
      return node as unknown as KernelLibp2p
    },
    spawnWorker: (kind: WorkerKind): WorkerPort => {
      const factory = init.workers?.[kind]
      if (factory == null) throw new WorkerUnavailableError(`No ${kind} worker was given to browserPlatform({ workers }); pass a factory for it.`)
      return webWorkerPort(factory())
    }
  }
}

function webWorkerPort(worker: Worker): WorkerPort {
  return {
    postMessage: (msg, transfer) => { worker.postMessage(msg, transfer ?? []) },
    onMessage: (cb) => { worker.onmessage = (event: MessageEvent) => { cb(event.data) } },
    onError: (cb) => {
      worker.onerror = (event: ErrorEvent) => { cb(new Error(event.message === '' ? 'The worker failed to start.' : event.message)) }
      worker.onmessageerror = () => { cb(new Error('A message from the worker could not be decoded.')) }
    },
    terminate: () => { worker.terminate() }
  }
}
