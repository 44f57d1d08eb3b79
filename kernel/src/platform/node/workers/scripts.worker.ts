import { parentPort } from 'node:worker_threads'
import { runScriptWorker } from '../../../nodeKernel/scripts/scriptWorker.js'
import { nodeWorkerScope } from '../nodeWorkerScope.js'

runScriptWorker(nodeWorkerScope(parentPort))
