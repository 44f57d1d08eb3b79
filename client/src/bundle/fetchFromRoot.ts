import { RootFetchError } from './errors.js'

/** The subset of `fetch` the loaders use, so tests can serve a bundle from memory. */
export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>

/** GETs `url` and throws {@link RootFetchError} with an actionable message unless the answer is 2xx. */
export async function fetchFromRoot(fetcher: FetchLike, url: string, what: string): Promise<Response> {
  let response: Response
  try {
    response = await fetcher(url)
  } catch (err) {
    throw new RootFetchError(`Could not download ${what} from ${url} (${err instanceof Error ? err.message : String(err)}). Check your connection and that the root is running, then reload.`)
  }
  if (!response.ok) {
    throw new RootFetchError(`The root answered HTTP ${response.status} for ${what} (${url}). The root may be restarting or misconfigured; reload in a moment.`)
  }
  return response
}

/**
 * Reads a response body, calling `onBytes(n)` as chunks arrive, and stops reading once more than
 * `limit` bytes came (the caller's hash check then refuses the file) so a hostile server cannot
 * make the page buffer without bound.
 */
export async function readBody(response: Response, limit: number, onBytes: (n: number) => void): Promise<Uint8Array> {
  if (response.body === null) {
    const bytes = new Uint8Array(await response.arrayBuffer())
    onBytes(bytes.byteLength)
    return bytes
  }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    length += value.byteLength
    onBytes(value.byteLength)
    if (length > limit) {
      await reader.cancel()
      break
    }
  }
  const bytes = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
