import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Command } from './command.js'
import { CliError, TLS_DETAILS, TLS_OPTIONS, optionalString, requireOption } from './command.js'
import { rootConnection } from './rootConnection.js'

/** The part of the kernel's `WorldHostingStatus` (`getStatus().hosting`) this command prints. */
interface HostingStatus {
  multiaddrs: string[]
  announced: boolean
  provided: boolean
  script: { ticks: number; error: { reason: string } | null } | null
}

/** What `peercompute host` uses of @peercompute/kernel (it is not a dependency of world-sdk: the kernel depends on world-sdk). */
interface KernelModules {
  kernel: {
    createNode(options: Record<string, unknown>): Promise<{
      start(): Promise<void>
      stop(): Promise<void>
      getStatus(): { peerId: string | null; players: unknown[]; hosting: HostingStatus | null }
      kernel: { hostWorld(world: unknown): Promise<HostingStatus> }
    }>
    httpWorldSource(init: { root: string; fetch: unknown }): { wellKnown(): Promise<{ multiaddrs: string[] }> }
    fetchVerifiedWorld(source: unknown, id: string): Promise<{ manifest: { id: string; name: string; version: string; parent: string | null } }>
    verifyWorldBundle(source: unknown, bytes: Uint8Array): Promise<{ manifest: { id: string; name: string; version: string; parent: string | null } }>
  }
  node: {
    nodePlatform(init: Record<string, unknown>): unknown
    nodeFetch(trust: { ca?: string; insecure?: boolean }): unknown
  }
}

/** Finds the kernel's compiled entries from this file's folder upwards (as `peercompute root` finds the root). */
async function loadKernel(): Promise<KernelModules> {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const base = join(dir, 'node_modules', '@peercompute', 'kernel', 'dist')
    if (existsSync(join(base, 'index.js'))) {
      const [kernel, node] = await Promise.all([import(pathToFileURL(join(base, 'index.js')).href), import(pathToFileURL(join(base, 'platform', 'node', 'index.js')).href)])
      return { kernel, node } as KernelModules
    }
    const parent = dirname(dir)
    if (parent === dir) throw new CliError('Hosting needs @peercompute/kernel. Install it next to @peercompute/world-sdk, or in the PeerCompute repo run "npm run build".')
    dir = parent
  }
}

function statusLine(players: number, h: HostingStatus | null): string {
  if (h == null) return 'not hosting'
  const script = h.script == null ? 'no script' : h.script.error != null ? `script stopped (${h.script.error.reason})` : `script running (${h.script.ticks} ticks)`
  return `${players} player${players === 1 ? '' : 's'} · ${script} · registry ${h.announced ? 'announced' : 'NOT announced'} · DHT ${h.provided ? 'provided' : 'not provided'}`
}

/** `peercompute host <bundle-or-world-id> --root <url>`: host a world headless from this machine. */
export const hostCommand: Command = {
  name: 'host',
  summary: "Host a world headless: verify its bundle and rules, run its script, announce this node as its host.",
  args: ['bundle-or-world-id'],
  options: {
    root: { type: 'string', short: 'r', value: 'url', description: 'the root, e.g. https://localhost:8443 (required)' },
    storage: { type: 'string', value: 'local|propagate', description: "where the world's state is kept: here only (local, default) or also by the root (propagate)" },
    listen: { type: 'string', value: 'multiaddr', description: 'where players dial this host (default /ip4/0.0.0.0/tcp/0/ws)' },
    name: { type: 'string', value: 'name', description: 'the host\'s player name (default "host")' },
    ...TLS_OPTIONS,
  },
  details:
    'The argument is a signed bundle file (.pcb, checked against its publisher signature) or the id of a\n' +
    "world published on the root (checked against the root's countersignature too). Either way its rules\n" +
    "are checked against its parents' as the root publishes them. Stop with Ctrl-C.\n\n" + TLS_DETAILS,
  async run(args) {
    const insecure = args.values['insecure'] === true
    const conn = rootConnection(requireOption(hostCommand, args, 'root'), insecure)
    const storage = optionalString(args, 'storage') ?? 'local'
    if (storage !== 'local' && storage !== 'propagate') throw new CliError(`--storage must be local or propagate, got "${storage}".`, 2)
    const target = args.positionals[0]!
    const { kernel, node } = await loadKernel()
    const trust = { ...(conn.ca === undefined ? {} : { ca: conn.ca }), insecure }
    const source = kernel.httpWorldSource({ root: conn.base.href, fetch: node.nodeFetch(trust) })
    const world = existsSync(target)
      ? await kernel.verifyWorldBundle(source, new Uint8Array(await readFile(target)))
      : await kernel.fetchVerifiedWorld(source, target)
    const { multiaddrs } = await source.wellKnown()
    const peer = await kernel.createNode({
      platform: node.nodePlatform({
        listen: [optionalString(args, 'listen') ?? '/ip4/0.0.0.0/tcp/0/ws'],
        trustRoot: trust,
        // A root on this machine or a LAN: keep private addresses in the DHT, as such a root does.
        dhtPrivateAddresses: /^(localhost|127\.|10\.|192\.168\.|\[::1\])/.test(conn.base.hostname),
      }),
      name: optionalString(args, 'name') ?? 'host',
      bootstrap: multiaddrs,
      storageMode: storage,
      worlds: { source },
    })
    await peer.start()
    let hosting: HostingStatus
    try {
      hosting = await peer.kernel.hostWorld(world)
    } catch (err) {
      await peer.stop()
      throw err
    }
    const { id, name, version, parent } = world.manifest
    console.log(`Hosting ${name} (${id} ${version}, inside ${parent ?? 'nothing'}) as ${peer.getStatus().peerId ?? '?'}`)
    console.log(`World URL: ${new URL(`/?world=${id}`, conn.base).href}`)
    for (const addr of hosting.multiaddrs) console.log(`  dial: ${addr}`)
    if (!hosting.announced) console.log('Warning: the root did not take the announcement (is the world published there?); players cannot find this host.')
    const timer = setInterval(() => {
      const status = peer.getStatus()
      console.log(statusLine(Math.max(0, status.players.length - 1), status.hosting))
    }, 5000)
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    clearInterval(timer)
    console.log('Stopping: withdrawing the announcement; players elect a new host.')
    await peer.stop()
  },
}
