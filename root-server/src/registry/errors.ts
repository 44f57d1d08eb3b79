/** A publish the registry refuses; `status` is the HTTP status it answers with. */
export class RegistryError extends Error {
  override name = 'RegistryError'
  readonly status: number

  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

/** The publisher's key may not publish here (allowlist) or may not publish this world id (owned by another key). */
export class PublisherNotAllowedError extends RegistryError {
  override name = 'PublisherNotAllowedError'
}

/** The world's version is not higher than the one the root serves. */
export class VersionNotNewerError extends RegistryError {
  override name = 'VersionNotNewerError'
}

/** The bundle does not fit this root: unknown parent world, or rules or world data that do not parse. */
export class WorldContentError extends RegistryError {
  override name = 'WorldContentError'
}
