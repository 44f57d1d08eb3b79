import { createNode, httpWorldSource } from '@peercompute/kernel'
import type { PeerComputeNode, WorldSource } from '@peercompute/kernel'
import { browserPlatform } from '@peercompute/kernel/browser'
import type { WellKnown } from '../bundle/wellKnown.js'

/** What {@link startNode} needs. */
export interface StartNodeInit {
  name: string
  wellKnown: WellKnown
  worldId: string
  /** Where sub-worlds are fetched and their hosts found. @default httpWorldSource over this page's origin */
  source?: WorldSource
}

/**
 * Creates this browser's PeerComputeNode and starts it: libp2p on the main thread (where
 * RTCPeerConnection exists), dialing the root's multiaddrs. Loro's wasm must be initialised
 * before this is called (boot/initLoro.ts).
 */
export async function startNode(init: StartNodeInit): Promise<PeerComputeNode> {
  const { wellKnown } = init
  const platform = browserPlatform({
    workers: {
      // Vite only bundles workers written as `new Worker(new URL(...), { type: 'module' })` in app code.
      physics: () => new Worker(new URL('../workers/physics.worker.ts', import.meta.url), { type: 'module', name: 'physics' }),
      'compute-cpu': () => new Worker(new URL('../workers/computeCpu.worker.ts', import.meta.url), { type: 'module', name: 'compute-cpu' }),
      'compute-webgpu': () => new Worker(new URL('../workers/computeWebGPU.worker.ts', import.meta.url), { type: 'module', name: 'compute-webgpu' }),
      scripts: () => new Worker(new URL('../workers/scripts.worker.ts', import.meta.url), { type: 'module', name: 'scripts' }),
    },
    allowLoopback: isLoopbackHost(location.hostname),
    iceServers: wellKnown.iceServers,
  })
  const node = await createNode({
    platform,
    name: init.name,
    world: init.worldId,
    bootstrap: wellKnown.multiaddrs,
    // Players link straight to each other (WebRTC, up to the mesh size) and the world's presence,
    // state and chat go over those links; a world's `network` rule can ask for another topology.
    topology: 'distributed',
    enablePhysics: true,
    enableInput: true,
    // Compute tasks only run code listed by signed bundles; WebGPU ones need an adapter.
    enableWebGPU: 'gpu' in navigator,
    // Sub-worlds (join, host, host migration) come from the root that served this page.
    worlds: { source: init.source ?? httpWorldSource({ root: location.origin }) },
  })
  await node.start()
  return node
}

/** Whether the page is served from this machine, where libp2p must be allowed to dial loopback. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname)
}
