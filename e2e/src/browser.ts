import { existsSync } from 'node:fs'
import type { LaunchOptions } from '@playwright/test'

/** Where Debian (and most Linux distributions) put Chromium; Playwright's own build is used when absent. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

/**
 * How the browser may draw. `webgpu` gives a working WebGPU canvas even without a GPU (SwiftShader
 * Vulkan); `webgpu-broken` exposes an adapter whose device is lost on the first canvas frame, the case
 * the client must survive by falling back to WebGL2; `webgl2` exposes no WebGPU adapter at all.
 */
export type GraphicsMode = 'webgpu' | 'webgpu-broken' | 'webgl2'

/** The system Chromium when there is one, so tests run where Playwright cannot download its own. */
export function chromiumExecutable(): string | undefined {
  return SYSTEM_CHROMIUM.find((path) => existsSync(path))
}

/**
 * Flags that make headless Chromium a usable PeerCompute node on a machine without a GPU or a network:
 * WebRTC host candidates on loopback, the root's self-signed certificate, and WebGPU on SwiftShader
 * (see shared/notes/browser.md for what each one fixed).
 */
export function chromiumArgs(mode: GraphicsMode = 'webgpu'): string[] {
  const args = [
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--allow-loopback-in-peer-connection',
    '--ignore-certificate-errors',
    '--autoplay-policy=no-user-gesture-required'
  ]
  // Playwright passes its own --enable-features; the last one wins, so repeat its entries here.
  const playwrightFeatures = ['CDPScreenshotNewSurface', 'SkipListAccountsWithoutGaiaCookies']
  if (mode === 'webgpu') {
    args.push(
      '--enable-unsafe-webgpu',
      `--enable-features=${['Vulkan', ...playwrightFeatures].join(',')}`,
      '--use-vulkan=swiftshader',
      '--use-angle=swiftshader'
    )
  } else if (mode === 'webgpu-broken') {
    args.push('--enable-unsafe-webgpu')
  }
  return args
}

/** Launch options for Playwright's `chromium.launch` in the given graphics mode. */
export function chromiumLaunchOptions(mode: GraphicsMode = 'webgpu'): LaunchOptions {
  const executablePath = chromiumExecutable()
  return {
    headless: true,
    args: chromiumArgs(mode),
    ...(executablePath === undefined ? {} : { executablePath })
  }
}
