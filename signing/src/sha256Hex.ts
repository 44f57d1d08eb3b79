import { sha256 } from './sha256.js'

/** SHA-256 of `bytes` as lowercase hex, by the fastest API this runtime has ({@link sha256}). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const [hex] = await sha256.hex([bytes])
  return hex as string
}
