/**
 * Base class of every error that refuses a bundle. Code that loads bundles catches this one
 * class, shows `name` and `message` to the user, and runs nothing from the bundle.
 */
export class BundleError extends Error {
  override name = 'BundleError'
}

/** The signed manifest, its JSON or one of its fields does not have the required shape. */
export class BundleFormatError extends BundleError {
  override name = 'BundleFormatError'
}

/** A required signature is missing, made by another key, or does not verify. */
export class BundleSignatureError extends BundleError {
  override name = 'BundleSignatureError'
}

/** A file's bytes do not match the size and SHA-256 its signed manifest lists, or the file is missing. */
export class BundleHashError extends BundleError {
  override name = 'BundleHashError'
}

/** The manifest's `expires` time has passed. */
export class BundleExpiredError extends BundleError {
  override name = 'BundleExpiredError'
}

/** A file path is unsafe (absolute, `..`, backslash), duplicated, or not listed in the manifest. */
export class BundlePathError extends BundleError {
  override name = 'BundlePathError'
}

/** The signed manifest is larger than the verifier accepts. */
export class BundleSizeError extends BundleError {
  override name = 'BundleSizeError'
}

/** The bundle's version is older than one already accepted or run for the same world (a rollback). */
export class BundleRollbackError extends BundleError {
  override name = 'BundleRollbackError'
}
