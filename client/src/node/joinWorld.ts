import { httpWorldSource } from '@peercompute/kernel'
import type { LoadedWorld, PeerComputeNode, WorldSource } from '@peercompute/kernel'
import { markBoot } from '../boot/bootMarks.js'
import { initLoro } from '../boot/initLoro.js'
import type { WellKnown } from '../bundle/wellKnown.js'
import { kernelView, type KernelView } from './kernelView.js'
import { startNode } from './startNode.js'

/** What {@link joinWorld} needs. */
export interface JoinWorldInit {
  name: string
  wellKnown: WellKnown
  /** A world from a bundle that verified. */
  world: LoadedWorld
  /** Told what is being done, for the error panel's "Could not …" line. */
  onStep?: (step: 'join the network' | 'start physics') => void
}

/** A running node in its world, and the view the play session reads it through. */
export interface JoinedWorld {
  node: PeerComputeNode
  view: KernelView
  /** Where the node fetches sub-worlds (the root that served this page). */
  source: WorldSource
}

/**
 * Starts this browser's node in a verified world: Loro's wasm, then the node (libp2p dials the
 * root), then `enterWorld` (topics, presence, Havok in its worker). A node that started but
 * could not enter the world is stopped again before the error is thrown.
 */
export async function joinWorld(init: JoinWorldInit): Promise<JoinedWorld> {
  init.onStep?.('join the network')
  await initLoro()
  const source = httpWorldSource({ root: location.origin })
  const node = await startNode({ name: init.name, wellKnown: init.wellKnown, worldId: init.world.id, source })
  markBoot('node-started')
  init.onStep?.('start physics')
  try {
    await node.kernel.enterWorld(init.world)
  } catch (err) {
    await node.stop().catch(() => undefined)
    throw err
  }
  markBoot('world-entered')
  return { node, view: kernelView(node), source }
}
