import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect } from '@playwright/test'
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { startRoot } from '@peercompute/root-server'
export { canvasVariety } from '../src/canvasVariety.js'
import type { RootServer } from '@peercompute/root-server'

/** A real root with its own data folder, shared by the tests of one worker and stopped after them. */
export const test = base.extend<{ player: (name: string, query?: string) => Promise<Page> }, { root: RootServer }>({
  root: [async ({}, use) => { await withRoot(use) }, { scope: 'worker' }],

  /**
   * Opens a player's page in a context of its own (as a separate person would) and waits until it
   * runs. Each page's console is kept and attached to a test that fails (`console-<name>.txt`).
   */
  player: async ({ browser, root, bypassCSP }, use, testInfo) => {
    const contexts: BrowserContext[] = []
    const consoles: Array<{ name: string; lines: string[] }> = []
    await use(async (name, query = '') => {
      const context = await newPlayerContext(browser, { bypassCSP })
      contexts.push(context)
      const page = await context.newPage()
      const lines: string[] = []
      consoles.push({ name, lines })
      // Wall-clock times, so the pages' lines can be read side by side.
      const stamp = (): string => new Date().toISOString().slice(11, 23)
      page.on('console', (message) => lines.push(`${stamp()} ${message.type()}: ${message.text()}`))
      page.on('pageerror', (err) => {
        lines.push(`${stamp()} page error: ${err.message}`)
        console.log(`[${name}] page error: ${err.message}`)
      })
      await page.goto(`${root.url}?name=${encodeURIComponent(name)}${query}`)
      await expect(page.locator('body')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
      return page
    })
    for (const context of contexts) await context.close()
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const { name, lines } of consoles) {
        const path = testInfo.outputPath(`console-${name}.txt`)
        await writeFile(path, lines.join('\n'))
        await testInfo.attach(`console-${name}.txt`, { path, contentType: 'text/plain' })
      }
    }
  }
})

/** Starts a root with a data folder of its own, hands it to `use`, then stops it and removes the folder. */
export async function withRoot(use: (root: RootServer) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'peercompute-e2e-'))
  const root = await startRoot({ port: 0, host: '127.0.0.1', publicHost: 'localhost', dataDir })
  try {
    await use(root)
  } finally {
    await root.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** A browser context with what WebRTC on loopback needs (see shared/notes/libp2p.md, pitfall 4). */
export async function newPlayerContext(browser: Browser, options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport: { width: 960, height: 600 }, ...options })
}

export { expect }

/** What `window.peercompute.getStatus()` returns, as far as these tests read it. */
export interface Status {
  peerId: string | null
  world: { id: string; name: string } | null
  renderer: 'webgpu' | 'webgl2' | null
  fps: number | null
  pingMs: number | null
  peers: { peerId: string; transport: string; rttMs: number | null }[]
  players: { peerId: string; name: string; position: [number, number, number]; self: boolean }[]
}

/** Reads the running node's status from a page. */
export function statusOf(page: Page): Promise<Status> {
  return page.evaluate(() => (window as unknown as { peercompute: { getStatus(): Status } }).peercompute.getStatus())
}
