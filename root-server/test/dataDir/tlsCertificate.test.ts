import { X509Certificate } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadOrCreateCertificate } from '../../src/dataDir/tlsCertificate.js'
import { tempDir } from '../fixtures.js'

describe('loadOrCreateCertificate', () => {
  let cleanup = async (): Promise<void> => {}
  afterEach(() => cleanup())

  it('makes a certificate for localhost, loopback and the public host, then reuses it', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    const first = await loadOrCreateCertificate(dir.path, 'play.example.org')
    expect(first.created).toBe(true)
    const x509 = new X509Certificate(first.cert)
    expect(x509.checkHost('localhost')).toBe('localhost')
    expect(x509.checkHost('play.example.org')).toBe('play.example.org')
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(x509.checkIP('::1')).toBe('::1')
    expect(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(first.key))).toBe(true)
    expect((await stat(join(dir.path, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600)

    const second = await loadOrCreateCertificate(dir.path, 'play.example.org')
    expect(second).toEqual({ ...first, created: false })
  })

  it('makes a new one when expired or when the public host changes', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    const first = await loadOrCreateCertificate(dir.path, 'localhost')
    const later = new Date(Date.now() + 400 * 24 * 3600_000)
    const renewed = await loadOrCreateCertificate(dir.path, 'localhost', later)
    expect(renewed.created).toBe(true)
    expect(renewed.cert).not.toBe(first.cert)
    const moved = await loadOrCreateCertificate(dir.path, '10.1.2.3', later)
    expect(moved.created).toBe(true)
    expect(new X509Certificate(moved.cert).checkIP('10.1.2.3')).toBe('10.1.2.3')
  })
})
