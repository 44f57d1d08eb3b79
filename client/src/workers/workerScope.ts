/// <reference lib="webworker" />
import type { WorkerScope } from '@peercompute/kernel'

declare const self: DedicatedWorkerGlobalScope

/** This dedicated worker's global scope as the kernel's WorkerScope (the worker side of a WorkerPort). */
export function dedicatedWorkerScope(): WorkerScope {
  return {
    postMessage: (msg, transfer) => self.postMessage(msg, transfer ?? []),
    onMessage: (cb) => {
      self.onmessage = (event: MessageEvent) => cb(event.data)
    },
    close: () => self.close(),
  }
}

/** Absolute URL of a bundled asset, resolved against the worker script's own URL. */
export function assetUrl(url: string): string {
  return new URL(url, self.location.href).href
}
