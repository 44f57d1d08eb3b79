import { defineConfig } from 'vite'
import type { Plugin } from 'vite'

/**
 * The client is served by the root under a strict CSP (`script-src 'self' 'wasm-unsafe-eval'`),
 * so the build emits no inline script: the modulepreload polyfill is off, and no asset is inlined
 * as a data: URL (wasm must come from 'self').
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/**
 * The boot imports the renderer and the scene dynamically (the first chunk only verifies the
 * bundle), so without help their download would start only once the first chunk ran. This lists
 * them, with every chunk they import, as `<link rel="modulepreload">` in index.html: they download
 * and compile beside the first chunk and run when the boot imports them.
 */
function preloadFirstFrameChunks(modules: string[]): Plugin {
  return {
    name: 'peercompute:preload-first-frame',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle
        if (bundle === undefined || !ctx.filename.endsWith('/client/index.html')) return html
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk')
        const byFile = new Map(chunks.map((c) => [c.fileName, c]))
        const files = new Set<string>()
        const visit = (file: string): void => {
          if (files.has(file)) return
          files.add(file)
          for (const dep of byFile.get(file)?.imports ?? []) visit(dep)
        }
        for (const module of modules) {
          const chunk = chunks.find((c) => c.moduleIds.some((id) => id.endsWith(module)))
          if (chunk === undefined) throw new Error(`preloadFirstFrameChunks: no chunk for ${module}`)
          visit(chunk.fileName)
        }
        const present = new Set([...html.matchAll(/href="\/([^"]+\.js)"|src="\/([^"]+\.js)"/g)].map((m) => m[1] ?? m[2]))
        const links = [...files].filter((file) => !present.has(file)).map((file) => `<link rel="modulepreload" crossorigin href="/${file}">`)
        return html.replace('</head>', `  ${links.join('\n    ')}\n  </head>`)
      },
    },
  }
}

export default defineConfig({
  plugins: [preloadFirstFrameChunks(['/src/session/showWorld.ts', '/src/session/playSession.ts'])],
  build: {
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    // bench/bare.html is the baseline page of the first-frame benchmark (bench/src/overworld).
    rollupOptions: { input: { main: 'index.html', bare: 'bench/bare.html' } },
  },
  worker: { format: 'es' },
  resolve: {
    // The kernel imports 'loro-crdt', whose default entry needs top-level-await wasm ESM
    // integration. The `web` build loads its wasm by URL once `init()` is awaited
    // (src/boot/initLoro.ts does so before the kernel is created).
    alias: [{ find: /^loro-crdt$/, replacement: 'loro-crdt/web' }],
  },
  optimizeDeps: { exclude: ['loro-crdt', '@babylonjs/havok'] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
})
