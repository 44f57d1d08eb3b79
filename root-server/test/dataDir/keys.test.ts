import { stat, writeFile } from 'node:fs/promises'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { DataDirError } from '../../src/dataDir/errors.js'
import { libp2pKeyPath, loadOrCreateLibp2pKey } from '../../src/dataDir/libp2pKey.js'
import { loadOrCreateSigningKey, rootSigningKeyPath } from '../../src/dataDir/rootSigningKey.js'
import { tempDir } from '../fixtures.js'

describe('root keys in the data folder', () => {
  let cleanup = async (): Promise<void> => {}
  afterEach(() => cleanup())

  it('makes the signing key with mode 0600 and reuses it', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    const first = await loadOrCreateSigningKey(dir.path)
    expect(first.created).toBe(true)
    expect((await stat(rootSigningKeyPath(dir.path))).mode & 0o777).toBe(0o600)
    const second = await loadOrCreateSigningKey(dir.path)
    expect(second.created).toBe(false)
    expect(second.publicJwk).toEqual(first.publicJwk)
    expect(second.thumbprint).toBe(first.thumbprint)
  })

  it('refuses a damaged signing key instead of replacing it', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    await loadOrCreateSigningKey(dir.path)
    await writeFile(rootSigningKeyPath(dir.path), '{"nope":1}')
    await expect(loadOrCreateSigningKey(dir.path)).rejects.toThrow(DataDirError)
  })

  it('makes the libp2p key with mode 0600 and keeps the peer id', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    const first = await loadOrCreateLibp2pKey(dir.path)
    expect(first.created).toBe(true)
    expect(first.privateKey.type).toBe('Ed25519')
    expect((await stat(libp2pKeyPath(dir.path))).mode & 0o777).toBe(0o600)
    const second = await loadOrCreateLibp2pKey(dir.path)
    expect(second.created).toBe(false)
    expect(peerIdFromPrivateKey(second.privateKey).toString()).toBe(peerIdFromPrivateKey(first.privateKey).toString())
  })
})
