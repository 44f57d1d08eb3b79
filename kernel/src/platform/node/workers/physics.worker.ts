/**
 * The physics worker for Node (worker_threads). Node cannot fetch Havok's wasm by URL from disk,
 * so this entry reads the bytes from the installed @babylonjs/havok package.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
import { loadHavok, runPhysicsWorker } from '../../../nodeKernel/physics/physicsWorker.js'
import { nodeWorkerScope } from '../nodeWorkerScope.js'

const require = createRequire(import.meta.url)

runPhysicsWorker(nodeWorkerScope(parentPort), async (wasm) => {
  if (wasm !== undefined) return await loadHavok(wasm)
  const bytes = await readFile(require.resolve('@babylonjs/havok/lib/esm/HavokPhysics.wasm'))
  return await loadHavok(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
})
