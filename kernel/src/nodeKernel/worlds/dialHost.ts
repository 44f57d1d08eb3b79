import { multiaddr } from '@multiformats/multiaddr'
import type { KernelLibp2p } from '../../platform/Platform.js'
import type { WorldHostRecord } from './WorldSource.js'

/** Thrown by `joinWorld` when nobody hosts the world now, or no host of it answers. */
export class NoHostError extends Error {
  override name = 'NoHostError'
}

/** Dials the first of a world's `hosts` that answers (each of its addresses in turn); resolves to its record. */
export async function dialHost(node: Pick<KernelLibp2p, 'dial'>, hosts: WorldHostRecord[]): Promise<WorldHostRecord> {
  const errors: string[] = []
  // A second pass with more time: a WebRTC link signalled through the root's relay to a busy
  // browser host can take longer than 5 s to open.
  for (const timeoutMs of [5000, 12_000]) {
    errors.length = 0
    for (const host of hosts) {
      for (const addr of host.multiaddrs) {
        try {
          await node.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) })
          return host
        } catch (err) {
          errors.push(`${addr}: ${err instanceof Error ? err.message : String(err)}`)
        }
      }
    }
  }
  throw new NoHostError(`No host of this world answers (${errors.join('; ')}). Try again in a moment, or host it yourself.`)
}
