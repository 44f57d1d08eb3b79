/// <reference lib="webworker" />
/**
 * The browser's physics worker: Havok in a Babylon NullEngine scene, run by the kernel's shared
 * `runPhysicsWorker`. Only the wasm location differs from the Node entry: here it is the URL Vite
 * gives Havok's wasm asset. Type-checked by tsconfig.worker.json (WebWorker lib, no DOM).
 */
import { loadHavok, runPhysicsWorker } from '@peercompute/kernel/physics-worker'
import havokWasmUrl from '@babylonjs/havok/lib/esm/HavokPhysics.wasm?url'
import { assetUrl, dedicatedWorkerScope } from './workerScope.js'

runPhysicsWorker(dedicatedWorkerScope(), (wasm) => loadHavok(wasm ?? assetUrl(havokWasmUrl)))
