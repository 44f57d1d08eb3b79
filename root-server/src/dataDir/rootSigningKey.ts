import { join } from 'node:path'
import { generateSigningKey, jwkThumbprint } from '@peercompute/signing'
import type { SigningKey } from '@peercompute/signing'
import { z } from 'zod'
import { DataDirError } from './errors.js'
import { PRIVATE_FILE_MODE, readFileIfExists, writeFileAtomic } from './privateFile.js'

const b64url43 = z.string().regex(/^[A-Za-z0-9_-]{43}$/)
const signingKeyFileSchema = z.object({
  privateJwk: z.looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: b64url43, d: b64url43 }),
  publicJwk: z.looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: b64url43 }),
  thumbprint: z.string(),
})

/** Path of the root's manifest signing key inside the data folder. */
export function rootSigningKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'root-signing.jwk.json')
}

/**
 * The root's Ed25519 signing key from `keys/root-signing.jwk.json` (mode 0600), made on first start.
 * Clients pin its public half, so an unreadable file is an error rather than a silent new key.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey & { created: boolean }> {
  const path = rootSigningKeyPath(dataDir)
  const raw = await readFileIfExists(path)
  if (raw === null) {
    const key = await generateSigningKey()
    await writeFileAtomic(path, JSON.stringify(key, null, 2) + '\n', PRIVATE_FILE_MODE)
    return { ...key, created: true }
  }
  let parsed: z.infer<typeof signingKeyFileSchema>
  try {
    parsed = signingKeyFileSchema.parse(JSON.parse(raw.toString('utf8')))
  } catch {
    throw new DataDirError(
      `${path} is not a PeerCompute signing key. Restore it from a backup; deleting it makes a new key that clients who pinned the old one will refuse.`,
    )
  }
  if (parsed.privateJwk.x !== parsed.publicJwk.x) {
    throw new DataDirError(`${path} holds a private and a public key that do not match. Restore it from a backup.`)
  }
  const thumbprint = await jwkThumbprint(parsed.publicJwk)
  return { privateJwk: parsed.privateJwk, publicJwk: parsed.publicJwk, thumbprint, created: false }
}
