// web/index.js re-exports this default, but its .d.ts omits it; this is the same module instance.
import initLoroWasm from 'loro-crdt/web/loro_wasm.js'

let loading: Promise<void> | null = null

/**
 * Loads Loro's wasm. The kernel imports 'loro-crdt', which vite.config.ts points at the `web`
 * build; that build's classes work only after its `init()` resolved, so this must finish before
 * the kernel creates a document. Safe to call more than once.
 */
export function initLoro(): Promise<void> {
  loading ??= initLoroWasm().then(() => undefined)
  return loading as Promise<void>
}
