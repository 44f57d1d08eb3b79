import type { WorkerScope } from '../WorkerPort.js'
import type { MessagePort } from 'node:worker_threads'

/** Adapts worker_threads' `parentPort` to the WorkerScope that worker bodies take. */
export function nodeWorkerScope(port: MessagePort | null): WorkerScope {
  if (port == null) throw new Error('This file is a worker entry: start it with new Worker(...), not directly.')
  return {
    postMessage: (msg, transfer) => { port.postMessage(msg, transfer) },
    onMessage: (cb) => {
      port.removeAllListeners('message')
      port.on('message', cb)
    },
    close: () => { port.close() }
  }
}
