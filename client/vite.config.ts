import { defineConfig } from 'vite'

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

export default defineConfig({
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
