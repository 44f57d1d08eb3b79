import type { ServerResponse } from 'node:http'

/**
 * Content-Security-Policy of every response: as strict as the client allows. WASM (Havok, Loro)
 * needs 'wasm-unsafe-eval'; workers may be blob: URLs; libp2p dials wss: and fetches https:.
 * Plain ws: only to this machine: a headless host (`peercompute host`) started beside the browser
 * has no certificate, and browsers block plain ws: to any other host from an https page anyway.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' wss: https: ws://localhost:* ws://127.0.0.1:* ws://[::1]:*",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers sent on every response, errors included. COOP + COEP make the page cross-origin isolated. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=31536000',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

/** Sets {@link SECURITY_HEADERS} on `res`. */
export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
}
