/// <reference lib="webworker" />
/**
 * The browser's scripts worker: each hosted world's script in its own QuickJS-WASM context, run
 * by the kernel's shared `runScriptWorker` (the same code as the Node entry). QuickJS's wasm
 * loads beside the module (Vite rewrites its URL). Type-checked by tsconfig.worker.json.
 */
import { runScriptWorker } from '@peercompute/kernel/scripts-worker'
import { dedicatedWorkerScope } from './workerScope.js'

runScriptWorker(dedicatedWorkerScope())
