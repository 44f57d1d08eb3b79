import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { CliError } from './command.js'

/** How to reach a root: its base URL and how to trust its certificate. */
export interface RootConnection {
  base: URL
  ca?: string
  insecure: boolean
}

/** A root's answer, read whole. */
export interface RootAnswer {
  status: number
  body: Buffer
}

/** Reads `--root`, `--insecure` and PEERCOMPUTE_CA into a {@link RootConnection}. */
export function rootConnection(root: string, insecure: boolean, env = process.env): RootConnection {
  let base: URL
  try {
    base = new URL(root.endsWith('/') ? root : `${root}/`)
  } catch {
    throw new CliError(`--root must be a URL such as https://localhost:8443, got "${root}".`, 2)
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new CliError(`--root must be an https:// URL, got "${root}".`, 2)
  }
  const caPath = env['PEERCOMPUTE_CA']
  if (caPath === undefined || caPath === '') return { base, insecure }
  try {
    return { base, insecure, ca: readFileSync(caPath, 'utf8') }
  } catch (err) {
    throw new CliError(`PEERCOMPUTE_CA names ${caPath}, which cannot be read (${(err as Error).message}).`)
  }
}

/**
 * Sends one request to the root. `onProgress` sees the bytes of `body` sent so far. Network and
 * certificate failures become one-line {@link CliError}s that say what to do.
 */
export function rootRequest(
  conn: RootConnection,
  path: string,
  init: { method?: string; body?: Uint8Array; onProgress?: (sent: number) => void } = {},
): Promise<RootAnswer> {
  const url = new URL(path.replace(/^\//, ''), conn.base)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: init.method ?? 'GET',
        rejectUnauthorized: !conn.insecure,
        ...(conn.ca === undefined ? {} : { ca: conn.ca }),
        headers: init.body === undefined ? { accept: 'application/json' } : {
          accept: 'application/json',
          'content-type': 'application/vnd.peercompute.bundle',
          'content-length': String(init.body.byteLength),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
        res.on('error', (err) => reject(networkError(conn, err)))
      },
    )
    req.on('error', (err) => reject(networkError(conn, err)))
    if (init.body === undefined) {
      req.end()
      return
    }
    writeChunks(req, init.body, init.onProgress).catch((err: unknown) => reject(networkError(conn, err as Error)))
  })
}

async function writeChunks(req: NodeJS.WritableStream, body: Uint8Array, onProgress?: (sent: number) => void): Promise<void> {
  const CHUNK = 256 * 1024
  for (let sent = 0; sent < body.byteLength; ) {
    const chunk = body.subarray(sent, sent + CHUNK)
    sent += chunk.byteLength
    if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve))
    onProgress?.(sent)
  }
  req.end()
}

/** Parses a JSON answer, or explains that the URL is not a PeerCompute root. */
export function answerJson(conn: RootConnection, answer: RootAnswer): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8'))
  } catch {
    throw new CliError(`${conn.base.href} answered ${answer.status} without JSON: is it a PeerCompute root?`)
  }
}

function networkError(conn: RootConnection, err: Error & { code?: string }): CliError {
  const root = conn.base.origin
  const code = err.code ?? ''
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new CliError(
      `The certificate of ${root} is not trusted (${code}). For a self-signed root, set PEERCOMPUTE_CA to its cert.pem, or pass --insecure for a test.`,
    )
  }
  if (code === 'ECONNREFUSED') return new CliError(`Nothing answers at ${root}. Is the root running (peercompute root)?`)
  if (code === 'ENOTFOUND') return new CliError(`The host of ${root} is not found. Check the --root URL.`)
  return new CliError(`Cannot reach ${root} (${err.message}).`)
}
