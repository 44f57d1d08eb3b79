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

/** Babylon's shader sources (GLSL for WebGL2, WGSL for WebGPU). */
const SHADER_MODULE = /@babylonjs\/core\/Shaders(WGSL)?\//

/**
 * The boot imports the renderer and the scene dynamically (the first chunk only verifies the
 * bundle), so without help their download would start only once the first chunk ran, and Babylon
 * imports each material's shaders only when it first draws it. This lists, per page, the given
 * modules' chunks with every chunk they import and the shader chunks they import on demand as
 * `<link rel="modulepreload">`: they download and compile beside the first chunk and run when
 * imported, so the first frame waits for no download round.
 */
function preloadFirstFrameChunks(modulesByPage: Record<string, string[]>): Plugin {
  return {
    name: 'peercompute:preload-first-frame',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle
        const page = Object.keys(modulesByPage).find((name) => ctx.filename.endsWith(`/client/${name}`))
        if (bundle === undefined || page === undefined) return html
        const modules = modulesByPage[page] as string[]
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk')
        const byFile = new Map(chunks.map((c) => [c.fileName, c]))
        const files = new Set<string>()
        const shaders = new Set<string>()
        // Babylon imports a material's shaders when it is first drawn: without these, the first
        // frames wait for a round of downloads before the meshes appear.
        const isShader = (file: string): boolean => byFile.get(file)?.moduleIds.some((id) => SHADER_MODULE.test(id)) === true
        const visit = (file: string): void => {
          if (files.has(file)) return
          files.add(file)
          const chunk = byFile.get(file)
          for (const dep of chunk?.imports ?? []) visit(dep)
          for (const dep of chunk?.dynamicImports ?? []) {
            if (!isShader(dep)) continue
            shaders.add(dep)
            visit(dep)
          }
        }
        for (const module of modules) {
          const chunk = chunks.find((c) => c.moduleIds.some((id) => id.endsWith(module)))
          if (chunk === undefined) throw new Error(`preloadFirstFrameChunks: no chunk for ${module}`)
          visit(chunk.fileName)
        }
        const present = new Set([...html.matchAll(/href="\/([^"]+\.js)"|src="\/([^"]+\.js)"/g)].map((m) => m[1] ?? m[2]))
        // Shaders are needed a little later than the code that builds the scene: they queue behind it.
        const links = [...files]
          .filter((file) => !present.has(file))
          .map((file) => `<link rel="modulepreload" crossorigin href="/${file}"${shaders.has(file) ? ' fetchpriority="low"' : ''}>`)
        return html.replace('</head>', `  ${links.join('\n    ')}\n  </head>`)
      },
    },
  }
}

export default defineConfig({
  plugins: [
    preloadFirstFrameChunks({
      'index.html': ['/src/session/showWorld.ts', '/src/session/playSession.ts'],
      // The baseline gets the same shader preloads, so that "world visible" compares like with like.
      'bench/bare.html': ['/src/bench/barePage.ts'],
    }),
  ],
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
