import { WORLDS_TOPIC } from '@peercompute/kernel'
import { createServer } from 'node:https'
import type { Server } from 'node:https'
import { isIP } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BundleStore } from './bundles/bundleStore.js'
import { publishContentBundle } from './bundles/publishContentBundle.js'
import { loadOrCreateLibp2pKey } from './dataDir/libp2pKey.js'
import { loadOrCreateSigningKey } from './dataDir/rootSigningKey.js'
import { loadOrCreateCertificate } from './dataDir/tlsCertificate.js'
import { rootRequestHandler } from './http/rootRequestHandler.js'
import { worldStateRoutes } from './http/worldStateRoutes.js'
import type { WorldStatePageLimits } from './http/worldStateRoutes.js'
import { registryConfigFromEnv, worldRegistry } from './registry/index.js'
import type { WorldRegistryInit } from './registry/index.js'
import { freePort } from './p2p/freePort.js'
import { loadRootWorld } from './p2p/loadRootWorld.js'
import { startRootP2pNode } from './p2p/rootP2pNode.js'
import { filePersistence, STATE_DIR } from './persistence/index.js'
import type { CompactionPolicy } from './persistence/index.js'
import type { RootP2pNode } from './p2p/rootP2pNode.js'
import { packageVersion, rootServerVersion } from './wellKnown.js'
import type { IceServer, WellKnown } from './wellKnown.js'

/** Options of {@link startRoot}. */
export interface RootServerInit {
  /** HTTPS port; 0 picks a free one (and then a free p2p port too). @default 8443 */
  port?: number
  /** Port of libp2p's secure WebSocket listener. @default port + 1 (a free port when port is 0) */
  p2pPort?: number
  /** The p2p port put in announced multiaddrs, when a reverse proxy (Caddy on 443) fronts the listener. @default the p2p port */
  publicP2pPort?: number
  /** Data folder (certificate, keys, bundles, blobs). @default './.data' in the current folder */
  dataDir?: string
  /** Address both listeners bind to. @default '0.0.0.0' */
  host?: string
  /** Host name or IP that browsers use, put in URLs and multiaddrs. @default 'localhost' */
  publicHost?: string
  /** The built browser client. @default client/dist of this repository */
  clientDir?: string
  /** Folder holding content bundle build outputs (`overworld/manifest.unsigned.json` …). @default contentBundlesDir() of @peercompute/content */
  contentBundlesDir?: string
  /** Name shown to players. @default 'PeerCompute (<publicHost>)' */
  name?: string
  /** STUN/TURN servers offered to browsers for WebRTC. @default [] */
  iceServers?: IceServer[]
  /** Receives one line per HTTP request when set. */
  log?: (line: string) => void
  /** Receives errors that were answered with a 500 or stopped a background task. @default console.error */
  onError?: (err: unknown) => void
  /** World registry settings. @default from PEERCOMPUTE_PUBLISHERS, PEERCOMPUTE_MAX_BUNDLE_MB, PEERCOMPUTE_MAX_FILE_MB */
  registry?: Pick<WorldRegistryInit, 'publishers' | 'limits' | 'onPublished'>
  /** When a world's state log is compacted into a snapshot. @default from PEERCOMPUTE_STATE_COMPACT_RECORDS, else 5000 records or 8 MiB */
  stateCompaction?: CompactionPolicy
  /** Page sizes of `GET /api/worlds/:id/state[/history]`. @default DEFAULT_STATE_PAGE_LIMITS (1000 versions; 500 entities and chat lines) */
  statePages?: Partial<WorldStatePageLimits>
}

/** A running root node. */
export interface RootServer {
  /** `https://<publicHost>:<port>/` */
  readonly url: string
  /** The HTTPS port actually bound. */
  readonly port: number
  /** The libp2p secure WebSocket multiaddrs, each ending in `/p2p/<peerId>`. */
  readonly p2pMultiaddrs: string[]
  readonly peerId: string
  /** Absolute path of the data folder. */
  readonly dataDir: string
  /** The body of `/.well-known/peercompute.json`. */
  wellKnown(): WellKnown
  /** How many peers the root's libp2p node is connected to now. */
  peerCount(): number
  /** Stops libp2p and the HTTPS server and frees both ports. */
  stop(): Promise<void>
}

const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../client/dist', import.meta.url))
/** How often a running root checks whether the overworld's signature needs renewing. */
const RESIGN_CHECK_MS = 6 * 3600_000

/**
 * Starts the root: makes or reuses the certificate and keys in the data folder, signs and stores
 * the overworld bundle, starts the root's libp2p node (WSS on the p2p port) and the HTTPS server.
 */
export async function startRoot(init: RootServerInit = {}): Promise<RootServer> {
  const host = init.host ?? '0.0.0.0'
  const publicHost = init.publicHost ?? 'localhost'
  const dataDir = resolve(init.dataDir ?? '.data')
  const clientDir = resolve(init.clientDir ?? DEFAULT_CLIENT_DIR)
  const onError = init.onError ?? ((err: unknown) => console.error(err))
  const started = Date.now()

  const [tls, signingKey, libp2pKey] = await Promise.all([
    loadOrCreateCertificate(dataDir, publicHost),
    loadOrCreateSigningKey(dataDir),
    loadOrCreateLibp2pKey(dataDir),
  ])
  const store = new BundleStore(dataDir)
  await store.load()
  const bundlesDir = init.contentBundlesDir ?? (await import('@peercompute/content')).contentBundlesDir()
  const overworldDir = join(bundlesDir, 'overworld')
  const overworld = await publishContentBundle(overworldDir, signingKey, store)
  const world = await loadRootWorld(overworld.manifest, store)

  const compactRecords = Number(process.env['PEERCOMPUTE_STATE_COMPACT_RECORDS'] ?? '')
  const persistence = filePersistence({
    dir: join(dataDir, STATE_DIR),
    compaction: init.stateCompaction ?? (compactRecords > 0 ? { records: compactRecords } : {}),
    onRepair: (world, report) => {
      onError(new Error(`World ${world}: dropped ${report.tornBytes} bytes of a torn log tail${report.badSnapshot ? ' and ignored a corrupt snapshot' : ''} (a crash cut a write short; nothing acknowledged is lost).`))
    },
  })
  let p2p: RootP2pNode | undefined
  const wellKnown = (): WellKnown => ({
    protocol: 'peercompute/1',
    name: init.name ?? `PeerCompute (${publicHost})`,
    version: rootServerVersion(),
    rootKey: { ...signingKey.publicJwk, kid: signingKey.thumbprint },
    peerId: p2p?.peerId ?? '',
    multiaddrs: p2p?.multiaddrs ?? [],
    overworld: 'overworld',
    iceServers: init.iceServers ?? [],
    versions: { root: rootServerVersion(), kernel: packageVersion('@peercompute/kernel'), libp2p: packageVersion('libp2p') },
  })
  const server = createServer(
    { cert: tls.cert, key: tls.key },
    rootRequestHandler({
      wellKnown,
      health: () => ({
        status: 'ok',
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        peers: p2p?.peers() ?? 0,
        worlds: store.worldCount(),
      }),
      store,
      clientDir,
      log: init.log,
      onError,
      worldState: worldStateRoutes({ dataDir, isPublished: (id) => store.latest(id) !== undefined, ...(init.statePages === undefined ? {} : { pageLimits: init.statePages }) }),
      registry: worldRegistry({
        dataDir, store, rootKey: signingKey, onError, ...registryConfigFromEnv(process.env), ...init.registry,
        // Connected nodes learn of a new world at once, instead of at their next poll of /api/worlds.
        onPublished: async (world) => {
          await init.registry?.onPublished?.(world)
          const { id, name, version, publisher, parent, url } = world
          await p2p?.announce(WORLDS_TOPIC, new TextEncoder().encode(JSON.stringify({ id, name, version, publisher, parent, url })))
        },
      }),
    }),
  )
  const port = await listen(server, init.port ?? 8443, host)
  try {
    const p2pPort = init.p2pPort ?? (init.port === 0 ? 0 : port + 1)
    p2p = await startRootP2pNode({
      host,
      port: p2pPort === 0 ? await freePort(host) : p2pPort,
      publicHost,
      ...(init.publicP2pPort === undefined ? {} : { publicPort: init.publicP2pPort }),
      tls: { cert: tls.cert, key: tls.key },
      privateKey: libp2pKey.privateKey,
      world,
      persistence,
    })
  } catch (err) {
    await closeServer(server)
    await persistence.close()
    throw err
  }
  const node = p2p
  const resign = setInterval(() => {
    publishContentBundle(overworldDir, signingKey, store).catch(onError)
  }, RESIGN_CHECK_MS)
  resign.unref()

  let stopping: Promise<void> | undefined
  return {
    url: `https://${isIP(publicHost) === 6 ? `[${publicHost}]` : publicHost}:${port}/`,
    port,
    p2pMultiaddrs: node.multiaddrs,
    peerId: node.peerId,
    dataDir,
    wellKnown,
    peerCount: () => node.peers(),
    stop: () => {
      stopping ??= (async () => {
        clearInterval(resign)
        await Promise.allSettled([node.stop(), closeServer(server)])
        await persistence.close()
      })()
      return stopping
    },
  }
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the HTTPS server has no TCP address')
  return address.port
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return
  const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()))
  server.closeAllConnections()
  await closed
}
