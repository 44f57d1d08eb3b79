/** Which renderer the page asks for: `auto` tries WebGPU and falls back to WebGL2. */
export type RendererRequest = 'auto' | 'webgpu' | 'webgl2'

/** What the page URL can set. */
export interface UrlOptions {
  /** `?name=` — skips the name prompt when it is a valid name. */
  name: string | null
  /** `?renderer=webgl2` forces the fallback; anything else means `auto`. */
  renderer: RendererRequest
}

/** Reads the options from a query string such as `location.search`. */
export function parseUrlOptions(search: string): UrlOptions {
  const params = new URLSearchParams(search)
  const renderer = params.get('renderer')
  return {
    name: params.get('name'),
    renderer: renderer === 'webgl2' || renderer === 'webgpu' ? renderer : 'auto',
  }
}
