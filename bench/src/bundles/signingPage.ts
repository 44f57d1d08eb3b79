import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join, normalize, sep } from 'node:path'

/** A page that loads @peercompute/signing's browser build (its dist + jose + zod, through an import map). */
export interface SigningPage {
  /** URL of the page; it sets nothing itself: import '/signing/index.js' from the page. */
  url: string
  close(): Promise<void>
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>signing bench</title>
<script type="importmap">{ "imports": { "jose": "/jose/dist/webapi/index.js", "zod": "/zod/index.js" } }</script>
<p>@peercompute/signing, loaded unbundled from its dist through an import map.</p>`

/**
 * Cross-origin isolation: without it Chromium rounds `performance.now()` to 100 µs, a tenth of the
 * time a 1 MB bundle takes; isolated, to 5 µs.
 */
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }

/** Serves the signing package's dist and its two dependencies on 127.0.0.1 (a secure context, cross-origin isolated). */
export async function serveSigningPage(): Promise<SigningPage> {
  const require = createRequire(import.meta.url)
  const roots: Record<string, string> = {
    signing: dirname(require.resolve('@peercompute/signing')),
    jose: packageDir(require.resolve('jose'), 'jose'),
    zod: packageDir(require.resolve('zod'), 'zod'),
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/') {
      res.writeHead(200, { ...ISOLATED, 'content-type': 'text/html; charset=utf-8' }).end(PAGE)
      return
    }
    const [, prefix = '', ...rest] = path.split('/')
    const base = roots[prefix]
    const file = base === undefined ? undefined : normalize(join(base, ...rest))
    if (base === undefined || file === undefined || !file.startsWith(base + sep)) {
      res.writeHead(404).end()
      return
    }
    readFile(file).then(
      (body) =>
        res
          .writeHead(200, { ...ISOLATED, 'content-type': file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' })
          .end(body),
      () => res.writeHead(404).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The folder of package `name` that holds `resolved`: the last `node_modules/<name>` in its path. */
function packageDir(resolved: string, name: string): string {
  const marker = `${sep}node_modules${sep}${name}${sep}`
  const at = resolved.lastIndexOf(marker)
  if (at === -1) throw new Error(`cannot find the ${name} package folder from ${resolved}`)
  return resolved.slice(0, at + marker.length - 1)
}
