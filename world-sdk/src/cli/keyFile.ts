import { readFile, writeFile } from 'node:fs/promises'
import { generateSigningKey, jwkThumbprint } from '@peercompute/signing'
import type { SigningKey } from '@peercompute/signing'
import { z } from 'zod'
import { CliError } from './command.js'

const privateJwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  d: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
})

/** Makes a new Ed25519 key and writes its private JWK to `path`, readable by the owner only (0600). */
export async function writeNewKeyFile(path: string, overwrite: boolean): Promise<SigningKey> {
  const key = await generateSigningKey()
  try {
    await writeFile(path, `${JSON.stringify(key.privateJwk, null, 2)}\n`, { mode: 0o600, flag: overwrite ? 'w' : 'wx' })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new CliError(`${path} already exists; keep that key, or pass --force to replace it (its worlds stay bound to the old key).`)
    throw new CliError(`Cannot write ${path} (${(err as Error).message}).`)
  }
  return key
}

/** Reads a key file written by `peercompute keygen` (an Ed25519 private JWK). */
export async function readKeyFile(path: string): Promise<SigningKey> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new CliError(
      code === 'ENOENT'
        ? `The key file ${path} does not exist. Make one with "peercompute keygen --out ${path}".`
        : `The key file ${path} is not readable JSON. Use the file "peercompute keygen" wrote.`,
    )
  }
  const parsed = privateJwkSchema.safeParse(json)
  if (!parsed.success) {
    throw new CliError(`The key file ${path} is not an Ed25519 private key (JWK). Use the file "peercompute keygen" wrote.`)
  }
  const { kty, crv, x, d } = parsed.data
  const publicJwk = { kty, crv, x }
  const thumbprint = await jwkThumbprint(publicJwk)
  const meta = { kid: thumbprint, alg: 'EdDSA', use: 'sig' }
  return { privateJwk: { kty, crv, x, d, ...meta }, publicJwk: { ...publicJwk, ...meta }, thumbprint }
}
