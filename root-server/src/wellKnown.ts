import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { JWK } from '@peercompute/signing'

/** One ICE server as RTCPeerConnection takes it (the DOM type does not exist in Node). */
export interface IceServer {
  urls: string | string[]
  username?: string
  credential?: string
}

/** The body of `GET /.well-known/peercompute.json`: what a client pins and bootstraps from. */
export interface WellKnown {
  protocol: 'peercompute/1'
  name: string
  version: string
  /** The root's public signing key; `kid` is its RFC 7638 thumbprint. */
  rootKey: JWK
  peerId: string
  /** Secure WebSocket multiaddrs, each ending in `/p2p/<peerId>`. */
  multiaddrs: string[]
  overworld: 'overworld'
  iceServers: IceServer[]
  versions: { root: string; kernel: string; libp2p: string }
}

/**
 * Version of an installed package, read from its package.json in the node_modules folders Node
 * would search from here (libp2p does not export its package.json); 'unknown' when not found.
 */
export function packageVersion(name: string): string {
  const dirs = createRequire(import.meta.url).resolve.paths(name) ?? []
  for (const dir of dirs) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as { version?: unknown }
      if (typeof pkg.version === 'string') return pkg.version
    } catch {
      // not installed in this folder: try the next one
    }
  }
  return 'unknown'
}

/** This package's own version (from ../package.json, the same relative path from src/ and dist/). */
export function rootServerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
