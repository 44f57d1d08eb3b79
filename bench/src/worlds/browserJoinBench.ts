import { chromium } from '@playwright/test'
import type { Page } from '@playwright/test'
import { chromiumLaunchOptions } from '@peercompute/e2e/browser'
import type { PeerComputeNode } from '@peercompute/kernel'
import { row, summarize } from '../stats.js'

/** The client's first-frame mark (client/src/session/firstFrameMark.ts): set by every play session's first frame. */
const FIRST_FRAME_MARK = 'peercompute:first-frame'
const RUNS = 3

/**
 * Issue 6's figure as a player sees it, in Chromium (WebGPU on SwiftShader): time from clicking Join
 * on the moon in the world list to the first frame drawn inside it, beside the time the overworld
 * takes from opening the page to its first frame. `host` hosts the moon already.
 */
export async function runBrowserJoinBench(rootUrl: string, host: PeerComputeNode): Promise<void> {
  const browser = await chromium.launch(chromiumLaunchOptions('webgpu'))
  const load: number[] = []
  const join: number[] = []
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport: { width: 960, height: 600 } })
      const page = await context.newPage()
      await page.goto(`${rootUrl}?name=Bench${i}`)
      await page.locator('body[data-state="running"]').waitFor({ timeout: 60_000 })
      load.push(await page.evaluate((mark) => performance.getEntriesByName(mark)[0]?.startTime ?? Number.NaN, FIRST_FRAME_MARK))
      join.push(await clickToMoonFrame(page))
      await context.close()
    }
  } finally {
    await browser.close()
  }
  const l = summarize(load)
  const j = summarize(join)
  console.log(`browser (Chromium ${browser.version()}, WebGPU on SwiftShader), ${RUNS} runs; moon hosted by ${host.getStatus().peerId?.slice(-6)}`)
  console.log(row('click Join -> first frame in the moon p50', j.p50, l.p50, 'ms', 'beside open page -> overworld first frame'))
}

/** Clicks Join on the moon in the world list and times it to the moon's first frame, in the page's clock. */
async function clickToMoonFrame(page: Page): Promise<number> {
  await page.evaluate(() => {
    document.addEventListener('click', () => { (window as unknown as { clickedAt: number }).clickedAt = performance.now() }, { capture: true, once: true })
  })
  await page.keyboard.press('KeyL')
  const moon = page.getByTestId('worlds').locator('li[data-world="moon"]')
  await moon.filter({ hasText: '1 host' }).waitFor({ timeout: 30_000 })
  const frames = await page.evaluate((mark) => performance.getEntriesByName(mark).length, FIRST_FRAME_MARK)
  await moon.getByRole('button', { name: 'Join' }).click()
  await page.waitForFunction(({ mark, frames }) => performance.getEntriesByName(mark).length > frames, { mark: FIRST_FRAME_MARK, frames }, { timeout: 60_000 })
  return page.evaluate((mark) => {
    const entries = performance.getEntriesByName(mark)
    return (entries.at(-1)?.startTime ?? Number.NaN) - (window as unknown as { clickedAt: number }).clickedAt
  }, FIRST_FRAME_MARK)
}
