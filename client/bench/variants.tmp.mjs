import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '/work/main/e2e/dist/browser.js'
import { startRoot } from '/work/main/root-server/dist/index.js'
const runs = Number(process.argv[2] ?? 5)
const variants = process.argv.slice(3)
const dataDir = await mkdtemp(join(tmpdir(), 'peercompute-ff-'))
const root = await startRoot({ port: 0, host: '127.0.0.1', dataDir })
const browser = await chromium.launch(chromiumLaunchOptions('webgpu'))
async function ff(url) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport: { width: 960, height: 600 } })
  try {
    const page = await context.newPage()
    await page.goto(url)
    await page.waitForFunction(() => document.body.dataset.state === 'running' || performance.getEntriesByName('peercompute:first-frame').length > 0 && location.pathname.includes('bare'), undefined, { timeout: 60_000 })
    return await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name.replace('peercompute:', ''), Math.round(m.startTime)])))
  } finally { await context.close() }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const urls = { bare: `${root.url}bench/bare.html`, ...Object.fromEntries(variants.map((v) => [v, `${root.url}?name=B&v=${v.split('+')[0]}${v.includes('+cold') ? '&warm=0' : ''}`])) }
const res = Object.fromEntries(Object.keys(urls).map((k) => [k, []]))
for (const u of Object.values(urls)) await ff(u)
for (let i = 0; i < runs; i++) for (const [k, u] of Object.entries(urls)) res[k].push(await ff(u))
for (const [k, rs] of Object.entries(res)) {
  const keys = Object.keys(rs[0])
  console.log(k.padEnd(12), keys.map((m) => `${m}=${median(rs.map((r) => r[m] ?? NaN))}`).join(' '), ' ratio', (median(rs.map((r) => r['first-frame'])) / median(res.bare.map((r) => r['first-frame']))).toFixed(2))
}
await browser.close(); await root.stop(); await rm(dataDir, { recursive: true, force: true })
