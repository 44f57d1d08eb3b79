/**
 * The main thread's handle on a worker, the same in browsers (Web Workers) and Node (worker_threads).
 * A platform's `spawnWorker` returns one; managers talk to their worker only through it.
 */
export interface WorkerPort {
  /** Sends a structured-clone message; buffers in `transfer` move to the worker instead of being copied. */
  postMessage(msg: unknown, transfer?: ArrayBuffer[]): void
  /** Registers the handler for messages from the worker (one handler; a later call replaces it). */
  onMessage(cb: (msg: unknown) => void): void
  /** Registers the handler for the worker's uncaught errors and failed starts. */
  onError(cb: (err: Error) => void): void
  /** Stops the worker at once; no message is delivered afterwards. */
  terminate(): void
}

/**
 * The worker's side of the same channel (`self` in a Web Worker, `parentPort` in worker_threads),
 * adapted by each runtime's worker entry file.
 */
export interface WorkerScope {
  postMessage(msg: unknown, transfer?: ArrayBuffer[]): void
  onMessage(cb: (msg: unknown) => void): void
  /** Ends the worker from inside once its work is done. */
  close(): void
}
