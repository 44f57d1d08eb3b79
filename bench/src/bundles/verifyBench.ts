import * as signing from '@peercompute/signing'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '@peercompute/e2e/browser'
import { row } from '../stats.js'
import { measureVerify } from './measureVerify.js'
import type { VerifyTiming } from './measureVerify.js'
import { serveSigningPage } from './signingPage.js'

const SIZES_MB = [1, 10, 50]
/** Timed runs per size: a 1 MB run takes about a millisecond, so it gets many for a steady median. */
const RUNS: Record<number, number> = { 1: 201, 10: 31, 50: 15 }

/**
 * Issue 4's figure: time to verify a signed bundle (layout, publisher signature, every file's
 * SHA-256) beside one plain SHA-256 of the same bytes, in Node and in Chromium, same run.
 */
export async function runBundleVerifyBench(): Promise<void> {
  print('node', await measureVerify(signing, SIZES_MB, RUNS))
  const page = await serveSigningPage()
  const browser = await chromium.launch(chromiumLaunchOptions('webgl2'))
  try {
    const tab = await browser.newPage()
    await tab.goto(page.url)
    if (!(await tab.evaluate(() => crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated: its timer would be too coarse')
    const timings = await tab.evaluate(
      async ({ source, sizes, runs }) => {
        const specifier = '/signing/index.js'
        const lib: unknown = await import(specifier)
        // The same function as in Node, passed as text.
        const measure = new Function(`return (${source})`)() as (
          l: unknown,
          s: number[],
          r: Record<number, number>,
        ) => Promise<VerifyTiming[]>
        return measure(lib, sizes, runs)
      },
      { source: measureVerify.toString(), sizes: SIZES_MB, runs: RUNS },
    )
    print(`chromium ${browser.version()}`, timings)
  } finally {
    await browser.close()
    await page.close()
  }
}

function print(runtime: string, timings: VerifyTiming[]): void {
  const api = timings[0]?.sha256Api ?? 'unknown'
  console.log(`${runtime}: baseline = SHA-256 of the whole bundle by ${api}, the API verifyBundle hashes with here`)
  for (const t of timings) {
    const label = `${runtime}: verify ${t.megabytes} MB bundle (${t.files} files)`
    console.log(row(label, t.verifyMs, t.sha256Ms, 'ms', '<= 1.2x of SHA-256'))
  }
}
