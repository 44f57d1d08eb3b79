import { Worker } from 'node:worker_threads'
import type { WorkerPort } from '../WorkerPort.js'

/** Starts `file` (a compiled .js worker entry) in a worker_threads Worker behind a WorkerPort. */
export function nodeWorkerPort(file: URL): WorkerPort {
  const worker = new Worker(file)
  let onError: (err: Error) => void = () => {}
  worker.on('error', (err) => { onError(err) })
  worker.on('exit', (code) => {
    if (code !== 0) onError(new Error(`The worker ${file.pathname} exited with code ${code}.`))
  })
  return {
    postMessage: (msg, transfer) => { worker.postMessage(msg, transfer) },
    onMessage: (cb) => {
      worker.removeAllListeners('message')
      worker.on('message', cb)
    },
    onError: (cb) => { onError = cb },
    terminate: () => {
      onError = () => {}
      void worker.terminate()
    }
  }
}
