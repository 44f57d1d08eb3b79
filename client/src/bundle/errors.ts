/** The root could not be reached, or answered a request with an error status. */
export class RootFetchError extends Error {
  override name = 'RootFetchError'
}

/** `/.well-known/peercompute.json` is missing fields or has the wrong shape. */
export class WellKnownError extends Error {
  override name = 'WellKnownError'
}
