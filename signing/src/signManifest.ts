import { FlattenedSign, GeneralSign, base64url } from 'jose'
import { BundleFormatError } from './errors.js'
import type { BundleManifest, SignatureRole, SignedManifest } from './manifestSchema.js'
import { signedManifestSchema } from './manifestSchema.js'
import { parseManifest } from './parseManifest.js'
import { importPrivateKey } from './signingKey.js'
import type { SigningKey } from './signingKey.js'

/**
 * Signs a manifest as a General JWS with one EdDSA signature whose protected header is
 * `{ alg: 'EdDSA', kid: key.thumbprint, role }`. The manifest must be complete: its `publisher`
 * set to the publisher key's thumbprint.
 */
export async function signManifest(
  manifest: BundleManifest,
  key: SigningKey,
  role: SignatureRole,
): Promise<SignedManifest> {
  const checked = parseManifest(manifest, {
    signed: true,
    advice: 'Set the publisher to your key thumbprint and fix the manifest before signing.',
  })
  const payload = new TextEncoder().encode(JSON.stringify(checked))
  const jws = await new GeneralSign(payload)
    .addSignature(await importPrivateKey(key))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.thumbprint, role })
    .sign()
  return {
    payload: jws.payload,
    signatures: jws.signatures.map((s) => ({ protected: s.protected ?? '', signature: s.signature })),
  }
}

/**
 * Adds a signature over the same payload (a root accepting a publisher's bundle). It does not
 * verify the existing signatures: call `verifyManifest` first.
 */
export async function countersign(
  signed: SignedManifest,
  key: SigningKey,
  role: SignatureRole,
): Promise<SignedManifest> {
  const shape = signedManifestSchema.safeParse(signed)
  if (!shape.success) {
    throw new BundleFormatError('The signed manifest to countersign is not a General JWS. Verify it before countersigning.')
  }
  const flat = await new FlattenedSign(base64url.decode(shape.data.payload))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.thumbprint, role })
    .sign(await importPrivateKey(key))
  if (flat.payload !== shape.data.payload) {
    throw new BundleFormatError('The signed manifest\'s payload is not canonical base64url. Ask its publisher to sign it again.')
  }
  return {
    payload: shape.data.payload,
    signatures: [...shape.data.signatures, { protected: flat.protected ?? '', signature: flat.signature }],
  }
}
