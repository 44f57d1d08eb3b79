/** A file in the root's data folder exists but cannot be used; the message names the file and the fix. */
export class DataDirError extends Error {
  override name = 'DataDirError'
}
