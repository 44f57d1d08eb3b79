import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Page } from '@playwright/test'
import type { RootServer } from '@peercompute/root-server'
import { expect, statusOf, test as base, withRoot } from './fixtures.js'

/** These tests publish worlds: a root of their own keeps other files' world lists as they expect. */
const test = base.extend<object, { root: RootServer }>({
  root: [async ({}, use) => { await withRoot(use) }, { scope: 'worker' }],
})

const BIN = fileURLToPath(new URL('../../world-sdk/bin/peercompute.js', import.meta.url))
const WORLDS = fileURLToPath(new URL('../../content/worlds/', import.meta.url))
const run = promisify(execFile)

/** The sub-world part of `getStatus()` these tests read. */
interface Place { chain: string[]; hosting: { world: string } | null; parent: string | null; peerId: string | null }

function placeOf(page: Page): Promise<Place> {
  return page.evaluate(() => (window as unknown as { peercompute: { getStatus(): Place } }).peercompute.getStatus())
}

/** The root's URL as the command line reaches it (it binds 127.0.0.1; its certificate is self-signed). */
const cliRoot = (root: RootServer): string => root.url.replace('//localhost:', '//127.0.0.1:').replace(/\/$/, '')

/** Builds and publishes content/worlds/<ids> with a fresh key, in a temp folder that is removed after. */
async function publish(root: RootServer, ...ids: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'peercompute-e2e-sub-'))
  try {
    const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, timeout: 30_000 })
    await cli('keygen', '--out', 'author.jwk')
    for (const id of ids) {
      await cli('build', join(WORLDS, id), '--out', `${id}.pcb`)
      await cli('publish', `${id}.pcb`, '--root', cliRoot(root), '--key', 'author.jwk', '--insecure')
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Publishes content/worlds/<id> unless an earlier test of this worker's root already did (another key owns it then). */
async function publishOnce(root: RootServer, id: string): Promise<void> {
  try {
    await publish(root, id)
  } catch (err) {
    if (!String((err as Error).message).includes('belongs to another publisher key')) throw err
  }
}

/**
 * Makes a world project with `peercompute init` below `dir`, gives it `parent` and `rules`, then
 * builds and signs it with `peercompute build` and `sign`; returns the signed bundle file's path.
 */
async function signedBundleFile(dir: string, id: string, parent: string, rules: object, script?: string): Promise<string> {
  const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, timeout: 30_000 })
  await cli('keygen', '--out', `${id}.jwk`)
  await cli('init', id)
  const info = JSON.parse(await readFile(join(dir, id, 'bundle.json'), 'utf8')) as Record<string, unknown>
  await writeFile(join(dir, id, 'bundle.json'), JSON.stringify({ ...info, parent }))
  await writeFile(join(dir, id, 'rules.json'), JSON.stringify(rules))
  if (script !== undefined) await writeFile(join(dir, id, 'main.js'), script)
  await cli('build', id, '--out', `${id}.pcb`)
  await cli('sign', `${id}.pcb`, '--key', `${id}.jwk`)
  return join(dir, id + '.pcb')
}

/** Starts `peercompute host <id>` headless and resolves once it announced itself. */
async function startHost(root: RootServer, id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'host', id, '--root', cliRoot(root), '--insecure', '--listen', '/ip4/127.0.0.1/tcp/0/ws'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host did not start in 30 s:\n${output}`)), 30_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (/^Hosting /m.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`The host exited (${code}):\n${output}`))
    })
  })
  return child
}

/** Stops a host process and waits for it to exit. */
async function stopHost(child: ChildProcess | null): Promise<void> {
  if (child === null || child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** Where the page is in the world chain; a toast saying why a move failed ends the wait. */
async function chainOf(page: Page): Promise<string[]> {
  const failed = await page.locator('#toasts .toast.bad').allTextContents()
  if (failed.length > 0) throw new Error(`The page says: ${failed.join(' / ')}`)
  return (await placeOf(page)).chain
}

/** The local avatar's height (feet) as the status shows it. */
async function selfHeight(page: Page): Promise<number> {
  const self = (await statusOf(page)).players.find((p) => p.self)
  if (self === undefined) throw new Error('The status lists no player for this node.')
  return self.position[1]
}

/** Waits until the avatar rests, presses Space and returns how high its feet rose (peak minus rest), m. */
async function jumpHeight(page: Page): Promise<number> {
  await page.locator('canvas').first().click()
  let rest = await selfHeight(page)
  await expect.poll(async () => {
    const before = rest
    await page.waitForTimeout(300)
    rest = await selfHeight(page)
    return Math.abs(rest - before)
  }, { timeout: 20_000 }).toBeLessThan(0.01)
  // Held for a while: at a software renderer's frame rate a short press can fall between two frames.
  await page.keyboard.down('Space')
  let peak = rest
  const until = Date.now() + 4_000
  const release = Date.now() + 400
  let held = true
  while (Date.now() < until) {
    peak = Math.max(peak, await selfHeight(page))
    if (held && Date.now() > release) {
      held = false
      await page.keyboard.up('Space')
    }
    await page.waitForTimeout(40)
  }
  return peak - rest
}

/** Holds `key` (walking) until the page's world chain is `chain`, then lets go. */
async function walkUntil(page: Page, key: string, chain: string[]): Promise<void> {
  await page.locator('canvas').first().click()
  await page.keyboard.down(key)
  try {
    await expect.poll(() => chainOf(page), { timeout: 30_000, intervals: [100] }).toEqual(chain)
  } finally {
    await page.keyboard.up(key)
    await page.keyboard.press('Escape')
    await page.evaluate(() => document.exitPointerLock())
  }
}

/** Issue 6, flows as a player sees them: sub-worlds hosted by others, joined from the world list. */
test.describe('sub-worlds', () => {
  test('B joins the low-gravity moon hosted headless from the world list, jumps higher there, and leaves', async ({ player, root }) => {
    test.setTimeout(120_000)
    let host: ChildProcess | null = null
    try {
      await publish(root, 'moon')
      host = await startHost(root, 'moon')
      const page = await player('Bea')

      // A host that leaves while the list still shows it: Join is refused with the reason, and B stays.
      await page.keyboard.press('KeyL')
      const listed = page.getByTestId('worlds').locator('li[data-world="moon"]')
      await expect(listed).toContainText('1 host')
      await stopHost(host)
      await listed.getByRole('button', { name: 'Join' }).click()
      await expect(page.getByTestId('toast')).toContainText('Could not join “moon”: NoHostError')
      expect((await placeOf(page)).chain).toEqual(['overworld'])
      await expect(page.getByTestId('hud')).toContainText('Overworld')
      await page.evaluate(() => document.querySelectorAll('#toasts .toast').forEach((toast) => toast.remove()))
      host = await startHost(root, 'moon')

      const overworldJump = await jumpHeight(page)
      expect(overworldJump).toBeGreaterThan(0.2)

      await page.keyboard.press('KeyL')
      await expect(page.getByTestId('worlds')).toBeVisible()
      const moon = page.getByTestId('worlds').locator('li[data-world="moon"]')
      await expect(moon).toContainText('1 host')
      await moon.getByRole('button', { name: 'Join' }).click()
      await expect.poll(() => chainOf(page), { timeout: 30_000 }).toEqual(['overworld', 'moon'])
      await expect(page.getByTestId('hud')).toContainText('The Moon')
      await expect(page.getByTestId('leave-world')).toBeVisible()

      const moonJump = await jumpHeight(page)
      console.log(`jump height: overworld ${overworldJump.toFixed(2)} m, moon ${moonJump.toFixed(2)} m`)
      expect(moonJump).toBeGreaterThan(overworldJump * 2)

      // Mouse look holds the pointer (the jumps clicked the canvas); Escape gives it back, as a player would.
      await page.keyboard.press('Escape')
      await page.evaluate(() => document.exitPointerLock())
      await page.getByTestId('leave-world').click()
      await expect.poll(() => chainOf(page), { timeout: 30_000 }).toEqual(['overworld'])
      await expect(page.getByTestId('hud')).toContainText('Overworld')
      await expect(page.getByTestId('leave-world')).toBeHidden()

      // Portals: the overworld's portal 8 m ahead of the spawn leads to the moon; the moon's portal
      // 8 m behind its spawn leads back.
      await walkUntil(page, 'KeyW', ['overworld', 'moon'])
      await expect(page.getByTestId('hud')).toContainText('The Moon')
      await walkUntil(page, 'KeyS', ['overworld'])
      await expect(page.getByTestId('hud')).toContainText('Overworld')
    } finally {
      await stopHost(host)
    }
  })

  test('A hosts the goal world from the browser, B joins it, and B keeps the world when A closes its page', async ({ player, root }) => {
    test.setTimeout(120_000)
    await publish(root, 'goal')
    const a = await player('Ada')
    const b = await player('Ben')

    // A: Host in the world list runs goal (its script in QuickJS in a worker) and enters it.
    await a.keyboard.press('KeyL')
    await a.getByTestId('worlds').locator('li[data-world="goal"]').getByRole('button', { name: 'Host' }).click()
    await expect.poll(() => chainOf(a), { timeout: 30_000 }).toEqual(['overworld', 'goal'])
    await expect.poll(async () => (await placeOf(a)).hosting?.world ?? null).toBe('goal')
    await expect(a.getByTestId('leave-world')).toBeVisible()

    // B sees A as goal's host and joins it: B's node is A's child.
    await b.keyboard.press('KeyL')
    const goal = b.getByTestId('worlds').locator('li[data-world="goal"]')
    await expect.poll(async () => {
      await b.getByTestId('worlds-button').click()
      await b.getByTestId('worlds-button').click()
      return (await goal.textContent()) ?? ''
    }, { timeout: 30_000 }).toContain('1 host')
    await goal.getByRole('button', { name: 'Join' }).click()
    await expect.poll(() => chainOf(b), { timeout: 30_000 }).toEqual(['overworld', 'goal'])
    const aId = (await placeOf(a)).peerId
    expect((await placeOf(b)).parent).toBe(aId)

    // A leaves; B, the only one left, takes over hosting and stays in goal.
    const closed = Date.now()
    await a.close()
    await expect.poll(async () => (await placeOf(b)).hosting?.world ?? null, { timeout: 15_000 }).toBe('goal')
    const tookOver = Date.now() - closed
    // The migration is recorded once hosting has started (a moment after the status shows it).
    const migrated = (): Promise<number | null> => b.evaluate(() => (window as unknown as { peercompute: { getStatus(): { migrations: { ms: number }[] } } }).peercompute.getStatus().migrations.at(-1)?.ms ?? null)
    await expect.poll(migrated).not.toBeNull()
    console.log(`B took over hosting goal ${(tookOver / 1000).toFixed(1)} s after A closed its page (${Math.round((await migrated()) ?? Number.NaN)} ms of it from noticing A gone to hosting)`)
    expect(await chainOf(b)).toEqual(['overworld', 'goal'])
    await expect(b.getByTestId('hud')).toContainText(/goal/i)
  })

  test('a player hosts worlds from signed bundle files: one overriding a rule its parent locks is refused naming the rule; a runaway script is stopped while the world goes on', async ({ player, root }) => {
    test.setTimeout(120_000)
    await publishOnce(root, 'moon')
    const dir = await mkdtemp(join(tmpdir(), 'peercompute-e2e-file-'))
    try {
      const heavy = await signedBundleFile(dir, 'heavy-moon', 'moon', { physics: { gravity: -20 } })
      const crater = await signedBundleFile(dir, 'crater', 'moon', { movement: { walkSpeed: 3 } })
      const page = await player('Flo')
      await page.keyboard.press('KeyL')
      const pick = page.getByTestId('host-file')
      await expect(pick).toBeEnabled()

      // The moon locks physics.gravity for its descendants: the file is refused before anything of it runs.
      await pick.setInputFiles(heavy)
      await expect(page.getByTestId('toast')).toContainText('Could not host “heavy-moon.pcb”: RuleViolationError')
      await expect(page.getByTestId('toast')).toContainText('physics.gravity')
      expect((await placeOf(page)).chain).toEqual(['overworld'])
      await page.evaluate(() => document.querySelectorAll('#toasts .toast').forEach((toast) => toast.remove()))

      // A file within the moon's rules: this node hosts it, below the moon, with the moon's gravity.
      await pick.setInputFiles(crater)
      await expect.poll(() => chainOf(page), { timeout: 30_000 }).toEqual(['overworld', 'moon', 'crater'])
      await expect.poll(async () => (await placeOf(page)).hosting?.world ?? null).toBe('crater')

      // A script that never returns from its tick: the host stops it and the world goes on.
      const runaway = `import { defineWorld } from '@peercompute/world-sdk'
export default defineWorld({
  setup (world) { world.entities.spawn({ id: 'marker', kind: 'box', position: [1, 1, 1] }) },
  tick () { for (;;) {} },
})
`
      const spin = await signedBundleFile(dir, 'spin', 'overworld', {}, runaway)
      await pick.setInputFiles(spin)
      await expect.poll(() => chainOf(page), { timeout: 30_000 }).toEqual(['overworld', 'spin'])
      const script = (): Promise<{ reason: string } | null> => page.evaluate(() => (window as unknown as { peercompute: { getStatus(): { hosting: { script: { error: { reason: string } | null } | null } | null } } }).peercompute.getStatus().hosting?.script?.error ?? null)
      await expect.poll(script, { timeout: 20_000 }).toMatchObject({ reason: 'cpu' })
      await expect(page.locator('body')).toHaveAttribute('data-state', 'running')
      await expect(page.getByTestId('hud')).toContainText('Spin')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
