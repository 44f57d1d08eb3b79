import './polyfills.js'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { nodeProcessWorkerPort } from './nodeProcessWorkerPort.js'
import { nodeWorkerPort } from './nodeWorkerPort.js'
import { trustRootCertificate } from './rootTrust.js'
import type { RootTrust } from './rootTrust.js'
import { DHT_PROTOCOL, gossipsubOptions } from '../libp2pOptions.js'
import { WorkerUnavailableError } from '../Platform.js'
import type { KernelLibp2p, NetworkInit, NodeRole, Platform, WorkerKind } from '../Platform.js'
import type { WorkerPort } from '../WorkerPort.js'
import type { PrivateKey } from '@libp2p/interface'

export { nodeWorkerScope } from './nodeWorkerScope.js'
export { BrowserLikeWebSocket } from './browserLikeWebSocket.js'
export { nodeFetch, trustRootCertificate } from './rootTrust.js'
export type { RootTrust } from './rootTrust.js'

export interface NodePlatformInit {
  /** 'root': relay server, DHT server, gossipsub hub. @default 'peer' */
  role?: NodeRole
  /** Listen addresses. @default root: ['/ip4/127.0.0.1/tcp/0/ws'] (or '/tls/ws' with https); peer: [] */
  listen?: string[]
  /** Addresses announced instead of the listen addresses (a root behind a domain). */
  announce?: string[]
  /** TLS for the WebSocket listener (PEM strings): the root's HTTPS certificate. */
  https?: { cert: string; key: string }
  privateKey?: PrivateKey
  /** Relay reservations the root holds at once. @default 1024 */
  maxReservations?: number
  /**
   * Trust a root's certificate when dialing its secure WebSocket (a self-signed root): installs a
   * global WebSocket that does, process-wide, when the node is created. @default the system's CAs only
   */
  trustRoot?: RootTrust
  /**
   * Keep private and loopback addresses in DHT records and the routing table: a root on a LAN or on
   * this machine (kad-dht drops them by default, so nothing would be found through the DHT). @default false
   */
  dhtPrivateAddresses?: boolean
}

// Worker entries are compiled files: kernel/dist/platform/node/workers/*.worker.js. Both this file's
// src and dist locations sit three folders under kernel/, so one relative URL finds them from either.
const WORKERS_DIR = new URL('../../../dist/platform/node/workers/', import.meta.url)
const WORKER_FILES: Partial<Record<WorkerKind, string>> = { physics: 'physics.worker.js', 'compute-cpu': 'computeCpu.worker.js', 'compute-webgpu': 'computeWebGPU.worker.js', scripts: 'scripts.worker.js' }

/** The platform for Node: a headless host or peer (`role: 'peer'`), or the root (`role: 'root'`). */
export function nodePlatform(init: NodePlatformInit = {}): Platform {
  const role = init.role ?? 'peer'
  return {
    kind: 'node',
    role,
    createLibp2p: async (network: NetworkInit) => {
      const privateKey = init.privateKey ?? network.privateKey
      const isRoot = role === 'root'
      if (init.trustRoot != null) trustRootCertificate(init.trustRoot)
      const listen = init.listen ?? (isRoot ? [init.https == null ? '/ip4/127.0.0.1/tcp/0/ws' : '/ip4/127.0.0.1/tcp/0/tls/ws'] : [])
      const node = await createLibp2p({
        start: false,
        ...(privateKey == null ? {} : { privateKey }),
        addresses: { listen, ...(init.announce == null ? {} : { announce: init.announce }) },
        transports: [
          webSockets(init.https == null ? {} : { https: { cert: init.https.cert, key: init.https.key } }),
          ...(isRoot ? [] : [circuitRelayTransport()])
        ],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        // Many peers share one address behind NAT, a reverse proxy, or in tests on loopback.
        connectionManager: isRoot ? { inboundConnectionThreshold: 100, maxIncomingPendingConnections: 100, maxConnections: 2000 } : {},
        services: {
          identify: identify(),
          ping: ping(),
          pubsub: gossipsub(gossipsubOptions(role, network.gossipScorer)),
          dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: !isRoot, ...(init.dhtPrivateAddresses === true ? { peerInfoMapper: passthroughMapper } : {}) }),
          ...(isRoot ? { relay: circuitRelayServer({ reservations: { maxReservations: init.maxReservations ?? 1024 } }) } : {})
        }
      })
      return node as unknown as KernelLibp2p
    },
    spawnWorker: (kind: WorkerKind): WorkerPort => {
      const file = WORKER_FILES[kind]
      if (file == null) throw new WorkerUnavailableError(`Node has no ${kind} worker.`)
      // WebGPU (Dawn) runs in a child process: its Vulkan loader takes its paths from the environment at start.
      if (kind === 'compute-webgpu') return nodeProcessWorkerPort(new URL(file, WORKERS_DIR))
      return nodeWorkerPort(new URL(file, WORKERS_DIR))
    }
  }
}
