import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { DataDirError } from './errors.js'
import { PRIVATE_FILE_MODE, readFileIfExists, writeFileAtomic } from './privateFile.js'

/** Path of the root's libp2p identity key (protobuf bytes) inside the data folder. */
export function libp2pKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'libp2p.key')
}

/**
 * The root's libp2p Ed25519 identity from `keys/libp2p.key` (mode 0600), made on first start,
 * so the root's peerId — and with it the multiaddrs clients bootstrap from — stays the same.
 */
export async function loadOrCreateLibp2pKey(dataDir: string): Promise<{ privateKey: PrivateKey; created: boolean }> {
  const path = libp2pKeyPath(dataDir)
  const raw = await readFileIfExists(path)
  if (raw === null) {
    const privateKey = await generateKeyPair('Ed25519')
    await writeFileAtomic(path, privateKeyToProtobuf(privateKey), PRIVATE_FILE_MODE)
    return { privateKey, created: true }
  }
  try {
    return { privateKey: privateKeyFromProtobuf(new Uint8Array(raw)), created: false }
  } catch {
    throw new DataDirError(`${path} is not a libp2p private key. Restore it from a backup, or delete it to make a new peer id.`)
  }
}
