import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { signManifest } from '@peercompute/signing'
import type { BundleManifest, SignedManifest, SigningKey } from '@peercompute/signing'
import type { Page } from '@playwright/test'
import { expect, newPlayerContext, test } from './fixtures.js'

const BIN = fileURLToPath(new URL('../../world-sdk/bin/peercompute.js', import.meta.url))
const MEADOW = fileURLToPath(new URL('../../content/worlds/meadow', import.meta.url))
const run = promisify(execFile)

/** The published worlds as `window.peercompute.getStatus().worlds` shows them. */
interface Listed { id: string; name: string; version: string; publisher: string; parent: string | null }

function worldsOf(page: Page): Promise<Listed[]> {
  return page.evaluate(() => (window as unknown as { peercompute: { getStatus(): { worlds: Listed[] } } }).peercompute.getStatus().worlds)
}

/** Flow 2 of DESIGN.md, as a player sees it: published worlds in the list; old bundles never run. */
test.describe('published worlds in the browser', () => {
  test('a world published with the command line appears in the world list and the status', async ({ player, root }) => {
    const page = await player('Wanda')
    await expect.poll(async () => (await worldsOf(page)).map((w) => w.id)).toEqual(['overworld'])

    const dir = await mkdtemp(join(tmpdir(), 'peercompute-e2e-cli-'))
    try {
      const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, timeout: 30_000 })
      const keygen = await cli('keygen', '--out', 'author.jwk')
      const thumbprint = /Thumbprint: (\S+)/.exec(keygen.stdout)?.[1] ?? ''
      expect(thumbprint).not.toBe('')
      await cli('build', MEADOW, '--out', 'meadow.pcb')
      // The root binds 127.0.0.1; its certificate is self-signed (--insecure, as for any test root).
      const rootUrl = root.url.replace('//localhost:', '//127.0.0.1:').replace(/\/$/, '')
      const published = await cli('publish', 'meadow.pcb', '--root', rootUrl, '--key', 'author.jwk', '--insecure')
      expect(published.stdout.trim().split('\n').at(-1)).toBe(`${rootUrl}/?world=meadow`)

      // Opening the panel (the L key) refreshes the list; the new world is there, Join waits for a host.
      await page.locator('canvas').first().click()
      await page.keyboard.press('KeyL')
      const panel = page.getByTestId('worlds')
      await expect(panel).toBeVisible()
      const meadow = panel.locator('li[data-world="meadow"]')
      await expect(meadow).toContainText('Meadow')
      await expect(meadow).toContainText('v1.0.0')
      await expect(meadow).toContainText(`by ${thumbprint.slice(0, 8)}…${thumbprint.slice(-4)}`)
      await expect(meadow.getByRole('button', { name: 'Join' })).toBeDisabled()
      await expect(meadow).toContainText('no host')
      await expect(panel.locator('li[data-world="overworld"]')).toContainText('You are here')

      const listed = await worldsOf(page)
      expect(listed.map((w) => w.id)).toEqual(['meadow', 'overworld'])
      expect(listed[0]).toEqual({ id: 'meadow', name: 'Meadow', version: '1.0.0', publisher: thumbprint, parent: 'overworld' })

      await page.keyboard.press('Escape')
      await expect(panel).toBeHidden()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('an overworld older than the one this browser ran is refused (rollback), and none of it runs', async ({ browser, root }) => {
    const context = await newPlayerContext(browser)
    try {
      const page = await context.newPage()
      await page.goto(`${root.url}?name=Rita`)
      await expect(page.locator('body')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })

      // A validly signed manifest of an older version: what a replay of an old, vulnerable bundle looks like.
      const key = JSON.parse(await readFile(join(root.dataDir, 'keys', 'root-signing.jwk.json'), 'utf8')) as SigningKey
      const served = (await (await page.request.get(`${root.url}api/worlds/overworld/manifest`)).json()) as SignedManifest
      const manifest = JSON.parse(Buffer.from(served.payload, 'base64url').toString('utf8')) as BundleManifest
      expect(manifest.version).toBe('1.0.0')
      const older = await signManifest({ ...manifest, version: '0.9.0' }, key, 'root')
      await page.route('**/api/worlds/overworld/manifest', (route) => route.fulfill({ json: older }))

      // The version this browser ran is remembered across the reload (IndexedDB).
      await page.reload()
      await expect(page.locator('body')).toHaveAttribute('data-state', 'error')
      const error = page.getByTestId('error')
      await expect(error).toContainText('BundleRollbackError')
      await expect(error).toContainText('version 0.9.0, older than version 1.0.0')
      expect(await page.locator('canvas').count()).toBe(0)
      expect(await page.evaluate(() => typeof (window as unknown as { peercompute?: { getStatus?: unknown } }).peercompute?.getStatus)).toBe('undefined')

      // The current version still runs (the same version again is no rollback).
      await page.unroute('**/api/worlds/overworld/manifest')
      await page.reload()
      await expect(page.locator('body')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
    } finally {
      await context.close()
    }
  })
})
