/**
 * @peercompute/signing — bundle manifests and Ed25519 General JWS signatures (jose), the same
 * in Node 20 and in browsers (WebCrypto only).
 * @packageDocumentation
 */
export { bundlePathProblem } from './bundlePath.js'
export {
  BUNDLE_FILE_FORMAT,
  BUNDLE_FILE_MAGIC,
  DEFAULT_BUNDLE_LIMITS,
  bundleFileHeaderSchema,
  decodeBundleFile,
  encodeBundleFile,
  formatBytes,
  publicJwkSchema,
} from './bundleFile.js'
export type { BundleFileHeader, BundleLimits, DecodedBundleFile } from './bundleFile.js'
export { buildManifest, DEFAULT_MANIFEST_TTL_SECONDS } from './buildManifest.js'
export type { BuildManifestInit } from './buildManifest.js'
export { checkNotRollback, compareVersions } from './compareVersions.js'
export {
  BundleError,
  BundleExpiredError,
  BundleFormatError,
  BundleHashError,
  BundlePathError,
  BundleRollbackError,
  BundleSignatureError,
  BundleSizeError,
} from './errors.js'
export {
  MANIFEST_SCHEMA,
  THUMBPRINT_PATTERN,
  WORLD_ID_PATTERN,
  bundleFileSchema,
  bundleManifestSchema,
  signedManifestSchema,
  unsignedManifestSchema,
} from './manifestSchema.js'
export type { BundleFile, BundleManifest, SignatureRole, SignedManifest } from './manifestSchema.js'
export { parseManifest } from './parseManifest.js'
export { sha256 } from './sha256.js'
export type { Sha256 } from './sha256.js'
export { sha256Hex } from './sha256Hex.js'
export { signBundle } from './signBundle.js'
export type { SignBundleOptions } from './signBundle.js'
export { countersign, signManifest } from './signManifest.js'
export { generateSigningKey, jwkThumbprint } from './signingKey.js'
export type { JWK, SigningKey } from './signingKey.js'
export { verifyBundle } from './verifyBundle.js'
export type { VerifiedBundle, VerifyBundleOptions } from './verifyBundle.js'
export { checkFileHashes, hashFiles, verifyBundleFiles, verifyFile } from './verifyFile.js'
export type { FileCheckWording } from './verifyFile.js'
export { DEFAULT_MAX_MANIFEST_BYTES, verifyManifest, verifyPublisherManifest } from './verifyManifest.js'
export type { VerifyManifestOptions, VerifyPublisherManifestOptions } from './verifyManifest.js'
