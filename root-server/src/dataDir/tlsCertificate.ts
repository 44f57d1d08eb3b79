import { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { PRIVATE_FILE_MODE, readFileIfExists, writeFileAtomic } from './privateFile.js'

/** PEM certificate and private key used by both the HTTPS server and the libp2p WSS listener. */
export interface TlsCertificate {
  cert: string
  key: string
  /** True when this call made a new certificate. */
  created: boolean
}

const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '::1']
const VALIDITY_DAYS = 365

/**
 * Reads `tls/cert.pem` and `tls/key.pem` from the data folder, or makes a self-signed certificate
 * for localhost, 127.0.0.1, ::1 and `publicHost` when they are missing, expired, or do not cover
 * `publicHost` (so changing `--public-host` takes effect on the next start).
 */
export async function loadOrCreateCertificate(dataDir: string, publicHost: string, now = new Date()): Promise<TlsCertificate> {
  const certPath = join(dataDir, 'tls', 'cert.pem')
  const keyPath = join(dataDir, 'tls', 'key.pem')
  const [cert, key] = await Promise.all([readFileIfExists(certPath), readFileIfExists(keyPath)])
  if (cert !== null && key !== null && certificateUsable(cert.toString('utf8'), publicHost, now)) {
    return { cert: cert.toString('utf8'), key: key.toString('utf8'), created: false }
  }
  const made = await makeCertificate(publicHost, now)
  await writeFileAtomic(keyPath, made.key, PRIVATE_FILE_MODE)
  await writeFileAtomic(certPath, made.cert, 0o644)
  return { ...made, created: true }
}

function certificateUsable(pem: string, publicHost: string, now: Date): boolean {
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(pem)
  } catch {
    return false
  }
  if (new Date(x509.validTo).getTime() <= now.getTime()) return false
  return isIP(publicHost) === 0 ? x509.checkHost(publicHost) !== undefined : x509.checkIP(publicHost) !== undefined
}

async function makeCertificate(publicHost: string, now: Date): Promise<{ cert: string; key: string }> {
  const hosts = [...new Set([...DEFAULT_HOSTS, publicHost])]
  const altNames = hosts.map((h) => (isIP(h) === 0 ? { type: 2 as const, value: h } : { type: 7 as const, ip: h }))
  const pems = await generate([{ name: 'commonName', value: publicHost }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + VALIDITY_DAYS * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  })
  return { cert: pems.cert, key: pems.private }
}
