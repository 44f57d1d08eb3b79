// Time to first frame of the overworld beside the bare Babylon page (issue 3's target: within
// 1.5x), in one run: the median of N runs each, a fresh browser context per run, the pages taken
// in turn so that all see the same machine load; also the first frame drawn with every shader
// ready ("world visible"). Prints the client's boot marks (peercompute:*) of the last run of each
// overworld page, to show where start-up time goes.
//
//   node client/bench/measureFirstFrame.mjs [runs=5] [other client dist to compare, e.g. a build of an older commit]
//
// Needs client, root-server and e2e built. The machine is shared: compare ratios within one run only.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../../e2e/dist/browser.js'
import { startRoot } from '../../root-server/dist/index.js'

const runs = Number(process.argv[2] ?? 5)
const otherClient = process.argv[3]
const dirs = []
async function root(clientDir) {
  const dataDir = await mkdtemp(join(tmpdir(), 'peercompute-ff-'))
  dirs.push(dataDir)
  return startRoot({ port: 0, host: '127.0.0.1', dataDir, ...(clientDir === undefined ? {} : { clientDir }) })
}
const roots = [await root()]
if (otherClient !== undefined) roots.push(await root(otherClient))
const browser = await chromium.launch(chromiumLaunchOptions('webgpu'))
const pages = { bare: `${roots[0].url}bench/bare.html`, overworld: `${roots[0].url}?name=Bench` }
if (otherClient !== undefined) Object.assign(pages, { otherBare: `${roots[1].url}bench/bare.html`, other: `${roots[1].url}?name=Bench` })

async function firstFrame(url) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport: { width: 960, height: 600 } })
  try {
    const page = await context.newPage()
    page.on('pageerror', (err) => console.log(`page error: ${err.message}`))
    await page.goto(url)
    await page.waitForFunction(() => performance.getEntriesByName('peercompute:first-frame').length > 0, undefined, { timeout: 60_000 })
    // Pages built before the world-visible mark existed never set it.
    await page.waitForFunction(() => performance.getEntriesByName('peercompute:world-visible').length > 0, undefined, { timeout: 10_000 }).catch(() => undefined)
    return await page.evaluate(() => ({
      ms: performance.getEntriesByName('peercompute:first-frame')[0].startTime,
      visibleMs: performance.getEntriesByName('peercompute:world-visible')[0]?.startTime ?? NaN,
      marks: performance.getEntriesByType('mark').map((m) => `${m.name.replace('peercompute:', '')}=${Math.round(m.startTime)}`),
    }))
  } finally {
    await context.close()
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
try {
  for (const url of Object.values(pages)) await firstFrame(url) // warm the disk and the root once
  const times = Object.fromEntries(Object.keys(pages).map((k) => [k, []]))
  const visible = Object.fromEntries(Object.keys(pages).map((k) => [k, []]))
  const marks = {}
  for (let i = 0; i < runs; i++) {
    for (const [kind, url] of Object.entries(pages)) {
      const result = await firstFrame(url)
      times[kind].push(result.ms)
      visible[kind].push(result.visibleMs)
      if (!kind.endsWith('are')) marks[kind] = result.marks
    }
  }
  const bare = median(times.bare)
  for (const [kind, xs] of Object.entries(times)) {
    const label = { bare: 'bare Babylon page', overworld: 'overworld', otherBare: `bare page (${otherClient})`, other: `overworld (${otherClient})` }[kind]
    const seen = median(visible[kind])
    console.log(`${label.padEnd(24)} first frame: median ${median(xs).toFixed(0).padStart(5)} ms = ${(median(xs) / bare).toFixed(2)}x  (${xs.map((x) => x.toFixed(0)).join(', ')})` +
      (Number.isNaN(seen) ? '' : `; world visible: ${seen.toFixed(0)} ms = ${(seen / median(visible.bare)).toFixed(2)}x`))
  }
  for (const [kind, list] of Object.entries(marks)) console.log(`${kind} boot marks, last run (ms): ${list.join(' ')}`)
} finally {
  await browser.close()
  for (const r of roots) await r.stop()
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
}
