// @ts-check
/**
 * Checks the `domain` profile's Caddy in front of the root: HTTPS through Caddy (with the certificate
 * Caddy issued, checked against Caddy's CA) serves the root's /.well-known/peercompute.json, and a
 * WebSocket upgrade through Caddy reaches the root's libp2p listener (what browsers dial for p2p).
 *
 *   node e2e/docker/caddyCheck.mjs <https url through caddy> <caddy root CA pem file> <root peerId>
 *
 * Exit 0 when both hold; 1 with one plain line on stderr naming what failed.
 */
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:https'
import WebSocket from 'ws'

const [url, caFile, rootPeerId] = process.argv.slice(2)
if (url === undefined || caFile === undefined || rootPeerId === undefined) {
  console.error('usage: node e2e/docker/caddyCheck.mjs <url> <ca.pem> <root peerId>')
  process.exit(2)
}
const ca = readFileSync(caFile, 'utf8')

/** GET over HTTPS trusting only Caddy's CA; resolves with the status and body. */
function get(target) {
  return new Promise((resolve, reject) => {
    const req = request(target, { agent: new Agent({ ca }), timeout: 10_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end()
  })
}

/** Opens a WebSocket through Caddy; resolves once the upgrade succeeded (libp2p then waits for us). */
function upgrade(target) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target, { ca, handshakeTimeout: 10_000 })
    ws.on('open', () => {
      ws.close()
      resolve(undefined)
    })
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} instead of an upgrade`)))
    ws.on('error', reject)
  })
}

try {
  const res = await get(new URL('.well-known/peercompute.json', url))
  if (res.status !== 200) throw new Error(`/.well-known through Caddy answered HTTP ${res.status}`)
  const wellKnown = JSON.parse(res.body)
  if (wellKnown.peerId !== rootPeerId) throw new Error(`/.well-known through Caddy names peer ${wellKnown.peerId}, not the root's ${rootPeerId}`)
  await upgrade(url.replace(/^https:/, 'wss:')).catch((err) => {
    throw new Error(`a WebSocket upgrade through Caddy did not reach the root's p2p port: ${err.message}`)
  })
  console.log(JSON.stringify({ wellKnown: 'ok', websocket: 'ok' }))
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  process.exit(1)
}
