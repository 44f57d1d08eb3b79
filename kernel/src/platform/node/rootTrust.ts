import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BrowserLikeWebSocket } from './browserLikeWebSocket.js'
import type { FetchLike } from '../../nodeKernel/worlds/WorldSource.js'
import type { ClientOptions } from 'ws'

/** How a Node process trusts a root's certificate: a PEM CA (a self-signed root's cert.pem), or not at all (tests). */
export interface RootTrust {
  /** PEM certificate(s) to trust besides the system's. */
  ca?: string
  /** Accept any certificate. Only for tests and a root on this machine. @default false */
  insecure?: boolean
}

/**
 * Makes the process's global `WebSocket` (what @libp2p/websockets dials with) trust the root's
 * certificate. Process-wide by nature: call it once, before the node starts.
 */
export function trustRootCertificate(trust: RootTrust): void {
  const options: ClientOptions = { ...(trust.ca == null ? {} : { ca: trust.ca }), rejectUnauthorized: trust.insecure !== true }
  Object.defineProperty(globalThis, 'WebSocket', {
    configurable: true,
    writable: true,
    value: class TrustingWebSocket extends BrowserLikeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, options)
      }
    }
  })
}

/** A `fetch` for `httpWorldSource` that trusts the root's certificate as `trust` says (Node's own fetch cannot take a CA). */
export function nodeFetch(trust: RootTrust = {}): FetchLike {
  return (url, init = {}) => new Promise((resolve, reject) => {
    const target = new URL(url)
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(target, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      rejectUnauthorized: trust.insecure !== true,
      ...(trust.ca == null ? {} : { ca: trust.ca })
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const status = res.statusCode ?? 0
        resolve({
          status,
          ok: status >= 200 && status < 300,
          json: async () => JSON.parse(body.toString('utf8')) as unknown,
          arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
        })
      })
    })
    req.on('error', reject)
    req.setTimeout(30_000, () => { req.destroy(new Error(`no answer from ${target.origin} within 30 s`)) })
    req.end(init.body)
  })
}
