import type { Page } from '@playwright/test'
import type { RootServer } from '@peercompute/root-server'
import { expect, statusOf, test as base, withRoot } from './fixtures.js'
import { flat, pitchOf, Striker } from './goalStriker.js'
import type { Pitch, Vec3 } from './goalStriker.js'
import { joinFromList, publishOnce, startHost, stopHost } from './hostedWorlds.js'
import type { Host } from './hostedWorlds.js'

/** These tests publish worlds: a root of their own keeps other files' world lists as they expect. */
const test = base.extend<object, { root: RootServer }>({
  root: [async ({}, use) => { await withRoot(use) }, { scope: 'worker' }],
})

/** content/worlds/goal: the centre spot (x, z), and a point inside the goal mouth (posts at x ±2, line at z 12). */
const CENTRE: [number, number, number] = [0, 0, 0]
const IN_GOAL: [number, number] = [0, 13.5]

/** The page's own avatar as its physics last stepped it, and the page's clock then, ms. */
function avatarOf(page: Page): Promise<{ feet: Vec3; speed: number; at: number; fps: number | null }> {
  return page.evaluate(() => {
    const node = (window as unknown as { peercompute: AvatarNode }).peercompute
    const avatar = node.kernel.physics?.avatar()
    if (avatar == null) throw new Error('This page simulates no avatar.')
    const [vx, , vz] = avatar.velocity
    return { feet: avatar.position, speed: Math.hypot(vx, vz), at: performance.now(), fps: node.getStatus().fps }
  })
}

/** The slice of `window.peercompute` that {@link avatarOf} reads. */
interface AvatarNode {
  getStatus(): { fps: number | null }
  kernel: { physics: { avatar(): { position: Vec3; velocity: Vec3 } | null } | null }
}

/**
 * Holds `key` for `ms` once the avatar set off, and returns how fast it went meanwhile (m/s) and the
 * frame rates the page drew at: the avatar moves in Havok's worker at a fixed step, so its speed
 * should be the world's walk speed however few frames the page draws.
 */
async function walkFor(page: Page, key: string, ms: number): Promise<{ speed: number; fps: string }> {
  await page.keyboard.down(key)
  try {
    await expect.poll(async () => (await avatarOf(page)).speed, { message: `the avatar walks while ${key} is held` }).toBeGreaterThan(1)
    const from = await avatarOf(page)
    await page.waitForTimeout(ms)
    const to = await avatarOf(page)
    return { speed: flat(to.feet, from.feet) / ((to.at - from.at) / 1000), fps: `${from.fps}/${to.fps}` }
  } finally {
    await page.keyboard.up(key)
    await expect.poll(async () => (await avatarOf(page)).speed, { message: `the avatar stops once ${key} is let go` }).toBeLessThan(0.1)
  }
}

/** What the pages and the host say about the hosted world, for a failure's message. */
async function diagnosis(host: Host | null, pages: Record<string, Page>): Promise<string> {
  const lines: string[] = []
  for (const [name, page] of Object.entries(pages)) {
    const status = await page.evaluate(() => {
      const { chain, parent, hosting, migrations, props, players } = (window as unknown as { peercompute: { getStatus(): Record<string, unknown> } }).peercompute.getStatus()
      return { chain, parent, hosting, migrations, props, players }
    }).catch((err: unknown) => String(err))
    lines.push(`${name}'s status: ${JSON.stringify(status)}`)
  }
  lines.push(`the host (${host?.peerId ?? 'none'}) printed:\n${host?.output().slice(-2000) ?? ''}`)
  return lines.join('\n')
}

/** Issue 6: the goal game as players play it, the ball simulated by its host. */
test.describe('goal game', () => {
  test('B pushes the ball between the posts with the keyboard; B and C see the goal counted and the ball served back to the centre', async ({ player, root }) => {
    test.setTimeout(240_000)
    let host: Host | null = null
    try {
      await publishOnce(root, 'goal')
      host = await startHost(root, 'goal')
      const b = await player('Ben')
      const c = await player('Cy')
      for (const page of [b, c]) {
        await joinFromList(page, 'goal')
        await page.keyboard.press('Escape')
      }
      for (const [page, seen] of [[b, 'Cy'], [c, 'Ben']] as const) {
        await expect.poll(async () => (await statusOf(page)).players.map((p) => p.name), { timeout: 15_000 }).toContain(seen)
      }

      // Both see the host's ball lying on the centre spot and the scoreboard at nought; B stands at
      // the spawn, 6 m behind the ball on the line to the goal, facing it.
      for (const [page, name] of [[b, 'B'], [c, 'C']] as const) {
        const received = async (): Promise<number> => (await pitchOf(page)).received
        await expect.poll(received, { timeout: 20_000, message: `${name} takes in the host's ball poses` }).toBeGreaterThan(0).catch(async (err: unknown) => {
          throw new Error(`${(err as Error).message}\n${await diagnosis(host, { B: b, C: c })}`, { cause: err })
        })
        expect(flat((await pitchOf(page)).ball ?? [NaN, NaN, NaN], CENTRE)).toBeLessThan(0.1)
        await expect(page.getByTestId('world-board')).toHaveText('Goals: 0')
      }
      expect((await pitchOf(b)).goals).toBe(0)

      // B backs away from the ball along its line to the goal, which times its walk on the way.
      const walk = await walkFor(b, 'KeyS', 3_000)
      console.log(`B walked at ${walk.speed.toFixed(2)} m/s (the world's walk speed is 4) while its page drew ${walk.fps} fps`)
      expect(walk.speed).toBeGreaterThan(3.2)
      expect(walk.speed).toBeLessThan(4.8)

      const striker = new Striker(b, { target: IN_GOAL, maxTries: 6, timeoutMs: 150_000 })
      const started = Date.now()
      let scored: Pitch
      try {
        scored = await striker.scoreAbove(0)
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${await diagnosis(host, { B: b, C: c })}`, { cause: err })
      } finally {
        console.log(`B's reads while playing:\n${striker.trace()}`)
      }
      console.log(`goal after ${striker.tries} push(es), ${((Date.now() - started) / 1000).toFixed(1)} s; B at ${scored.feet?.map((n) => n.toFixed(2)).join(', ')}`)

      // Every player sees it: the scoreboard entity counts the goal, its text names B, and the ball
      // is back on the centre spot (the host's script served it there).
      const ballOff = async (page: Page): Promise<number> => flat((await pitchOf(page)).ball ?? [NaN, NaN, NaN], CENTRE)
      try {
        for (const page of [b, c]) {
          await expect.poll(async () => (await pitchOf(page)).goals, { timeout: 20_000 }).toBeGreaterThanOrEqual(1)
          await expect(page.getByTestId('world-board')).toHaveText(/^Goals: [1-9]\d* \(last: Ben\)$/)
          await expect.poll(() => ballOff(page), { timeout: 20_000 }).toBeLessThan(0.5)
        }
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${await diagnosis(host, { B: b, C: c })}`, { cause: err })
      }
    } finally {
      await stopHost(host)
    }
  })
})
