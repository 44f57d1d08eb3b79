import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'
import type { RootServer } from '@peercompute/root-server'
import { effectiveRules } from '@peercompute/world-sdk'
import type { EffectiveRules } from '@peercompute/world-sdk'
import { expect, statusOf, test as base, withRoot } from './fixtures.js'
import { BIN, WORLDS, chainOf, joinFromList, placeOf, publishOnce, run, startHost, stopHost } from './hostedWorlds.js'
import type { Host } from './hostedWorlds.js'

/** These tests publish worlds: a root of their own keeps other files' world lists as they expect. */
const test = base.extend<object, { root: RootServer }>({
  root: [async ({}, use) => { await withRoot(use) }, { scope: 'worker' }],
})

const OVERWORLD = fileURLToPath(new URL('../../content/overworld/', import.meta.url))

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

/** The effective rules of content/worlds/<ids> (a chain below the overworld), folded as world-sdk folds them. */
async function foldedRules(...ids: string[]): Promise<EffectiveRules> {
  const rulesOf = async (dir: string): Promise<unknown> => JSON.parse(await readFile(join(dir, 'rules.json'), 'utf8'))
  const chain = [{ world: 'overworld', rules: await rulesOf(OVERWORLD) }]
  for (const id of ids) chain.push({ world: id, rules: await rulesOf(join(WORLDS, id)) })
  return effectiveRules(chain)
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
    let host: Host | null = null
    try {
      await publishOnce(root, 'moon')
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

  test('three levels: A hosts goal headless, B joins it and hosts goal-annex below it from the browser, C joins goal-annex as B\'s child under the folded rules', async ({ player, root }) => {
    test.setTimeout(150_000)
    let a: Host | null = null
    try {
      await publishOnce(root, 'goal')
      await publishOnce(root, 'goal-annex')
      a = await startHost(root, 'goal')
      const b = await player('Ben')
      const c = await player('Cy')

      await joinFromList(b, 'goal')
      expect(await placeOf(b)).toMatchObject({ chain: ['overworld', 'goal'], parent: a.peerId })

      // In goal, the list offers to host goal-annex (its parent is goal) here: B hosts it below A's goal.
      await b.keyboard.press('KeyL')
      const annex = b.getByTestId('worlds').locator('li[data-world="goal-annex"]')
      await expect(annex).toContainText('inside this world')
      await annex.getByRole('button', { name: 'Host' }).click()
      await expect.poll(() => chainOf(b), { timeout: 30_000 }).toEqual(['overworld', 'goal', 'goal-annex'])
      await expect.poll(async () => (await placeOf(b)).hosting?.world ?? null).toBe('goal-annex')
      const bPlace = await placeOf(b)
      expect(bPlace.parent).toBe(a.peerId)
      await expect(b.getByTestId('hud')).toContainText('Trophy Room')

      // C joins B's world: three worlds below the root's overworld, C a child of B, B of A.
      await joinFromList(c, 'goal-annex')
      const cPlace = await placeOf(c)
      expect(cPlace.chain).toEqual(['overworld', 'goal', 'goal-annex'])
      expect(cPlace.parent).toBe(bPlace.peerId)
      expect(cPlace.hosting).toBeNull()
      expect(cPlace.effectiveRules).toEqual((await foldedRules('goal', 'goal-annex')).rules)
      await expect(c.getByTestId('hud')).toContainText('Trophy Room')
      for (const [page, seen] of [[b, 'Cy'], [c, 'Ben']] as const) {
        await expect.poll(async () => (await statusOf(page)).players.map((p) => p.name), { timeout: 15_000 }).toContain(seen)
      }
    } finally {
      await stopHost(a)
    }
  })

  test('A hosts the goal world from the browser, B and C join it, and they keep playing when A closes its page', async ({ player, root }) => {
    test.setTimeout(150_000)
    await publishOnce(root, 'goal')
    const a = await player('Ada')
    const b = await player('Ben')
    const c = await player('Cy')

    // A: Host in the world list runs goal (its script in QuickJS in a worker) and enters it.
    await a.keyboard.press('KeyL')
    await a.getByTestId('worlds').locator('li[data-world="goal"]').getByRole('button', { name: 'Host' }).click()
    await expect.poll(() => chainOf(a), { timeout: 30_000 }).toEqual(['overworld', 'goal'])
    await expect.poll(async () => (await placeOf(a)).hosting?.world ?? null).toBe('goal')
    await expect(a.getByTestId('leave-world')).toBeVisible()

    // B and C see A as goal's host and join it: their nodes are A's children.
    const aId = (await placeOf(a)).peerId
    for (const page of [b, c]) {
      await joinFromList(page, 'goal')
      expect((await placeOf(page)).parent).toBe(aId)
    }
    for (const [page, seen] of [[b, 'Cy'], [c, 'Ben']] as const) {
      await expect.poll(async () => (await statusOf(page)).players.map((p) => p.name), { timeout: 15_000 }).toContain(seen)
    }

    // A leaves. The lower peerId of B and C hosts goal now; the other is its child; both stay in goal
    // and keep seeing each other.
    const [bId, cId] = [(await placeOf(b)).peerId, (await placeOf(c)).peerId]
    const [next, other] = (bId ?? '') < (cId ?? '') ? [b, c] : [c, b]
    const closed = Date.now()
    await a.close()
    await expect.poll(async () => (await placeOf(next)).hosting?.world ?? null, { timeout: 20_000 }).toBe('goal')
    const tookOver = Date.now() - closed
    const nextId = (await placeOf(next)).peerId
    await expect.poll(async () => (await placeOf(other)).parent, { timeout: 20_000 }).toBe(nextId)
    // The migration is recorded once hosting has started (a moment after the status shows it).
    const migrated = (): Promise<number | null> => next.evaluate(() => (window as unknown as { peercompute: { getStatus(): { migrations: { ms: number }[] } } }).peercompute.getStatus().migrations.at(-1)?.ms ?? null)
    await expect.poll(migrated).not.toBeNull()
    console.log(`the next host took over goal ${(tookOver / 1000).toFixed(1)} s after A closed its page (${Math.round((await migrated()) ?? Number.NaN)} ms of it from noticing A gone to hosting)`)
    for (const [page, seen] of [[b, 'Cy'], [c, 'Ben']] as const) {
      expect(await chainOf(page)).toEqual(['overworld', 'goal'])
      await expect(page.getByTestId('hud')).toContainText(/goal/i)
      await expect(page.locator('body')).toHaveAttribute('data-state', 'running')
      await expect.poll(async () => (await statusOf(page)).players.map((p) => p.name), { timeout: 15_000 }).toContain(seen)
      await expect.poll(async () => (await statusOf(page)).players.map((p) => p.name), { timeout: 15_000 }).not.toContain('Ada')
    }
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
