// Time to first frame of the overworld beside the bare Babylon page, in one run (issue 3's target:
// within 1.5x). Median of N runs each, a fresh browser context per run, pages alternated so both
// see the same machine load. Usage: node client/bench/measureFirstFrame.mjs [runs] (after building
// client, root-server and e2e). Prints the client's own boot marks too, to see where time goes.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../../e2e/dist/browser.js'
import { startRoot } from '../../root-server/dist/index.js'

const runs = Number(process.argv[2] ?? 5)
const dataDir = await mkdtemp(join(tmpdir(), 'peercompute-ff-'))
const root = await startRoot({ port: 0, host: '127.0.0.1', dataDir })
const browser = await chromium.launch(chromiumLaunchOptions('webgpu'))

async function firstFrame(url) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport: { width: 960, height: 600 } })
  try {
    const page = await context.newPage()
    page.on('pageerror', (err) => console.log(`page error: ${err.message}`))
    await page.goto(url)
    await page.waitForFunction(() => performance.getEntriesByName('peercompute:first-frame').length > 0, undefined, { timeout: 60_000 })
    return await page.evaluate(() => ({
      ms: performance.getEntriesByName('peercompute:first-frame')[0].startTime,
      marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
      fetched: performance.getEntriesByType('resource').filter((r) => !r.name.includes('/assets/')).map((r) => `${new URL(r.name).pathname.slice(0, 30)}@${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`),
    }))
  } finally {
    await context.close()
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
try {
  await firstFrame(`${root.url}bench/bare.html`) // warm the HTTP cache and the disk once for both
  await firstFrame(`${root.url}?name=Warm`)
  const bare = []
  const world = []
  for (let i = 0; i < runs; i++) {
    const b = await firstFrame(`${root.url}bench/bare.html`)
    bare.push(b.ms)
    if (i === runs - 1) console.log('bare page marks (ms):', b.marks.map(([n, t]) => `${n.replace('peercompute:', '')}=${t}`).join(' '))
    const w = await firstFrame(`${root.url}?name=Bench${i}`)
    world.push(w.ms)
    if (i === runs - 1) console.log('overworld marks (ms):', w.marks.map(([n, t]) => `${n.replace('peercompute:', '')}=${t}`).join(' '), '\nfetches:', w.fetched.join(' '))
  }
  const b = median(bare)
  const w = median(world)
  console.log(`bare page  first frame: median ${b.toFixed(0)} ms  (${bare.map((x) => x.toFixed(0)).join(', ')})`)
  console.log(`overworld  first frame: median ${w.toFixed(0)} ms  (${world.map((x) => x.toFixed(0)).join(', ')})`)
  console.log(`ratio: ${(w / b).toFixed(2)}x (target ≤ 1.5x)`)
} finally {
  await browser.close()
  await root.stop()
  await rm(dataDir, { recursive: true, force: true })
}
