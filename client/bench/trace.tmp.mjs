import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../../e2e/dist/browser.js'
import { startRoot } from '../../root-server/dist/index.js'
const dataDir = await mkdtemp(join(tmpdir(), 'peercompute-ff-'))
const root = await startRoot({ port: 0, host: '127.0.0.1', dataDir })
const browser = await chromium.launch(chromiumLaunchOptions('webgpu'))
const ctx = await browser.newContext({ ignoreHTTPSErrors: true })
const warm = await ctx.newPage(); await warm.goto(`${root.url}?name=W`); await warm.waitForFunction(() => performance.getEntriesByName('peercompute:first-frame').length > 0); await warm.close()
const ctx2 = await browser.newContext({ ignoreHTTPSErrors: true })
const page = await ctx2.newPage()
await browser.startTracing(page, { path: '/tmp/trace.json', categories: ['devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', 'netlog'] })
await page.goto(`${root.url}?name=T`)
await page.waitForFunction(() => performance.getEntriesByName('peercompute:first-frame').length > 0)
const marks = await page.evaluate(() => ({ origin: performance.timeOrigin, marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]) }))
await browser.stopTracing()
console.log(JSON.stringify(marks.marks))
const trace = JSON.parse(await readFile('/tmp/trace.json', 'utf8'))
const events = trace.traceEvents ?? trace
const nav = events.find((e) => e.name === 'navigationStart' || e.name === 'TracingStartedInBrowser')
const mainTid = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.tid === e.tid && x.name === 'EvaluateScript'))?.tid
const markEv = events.find((e) => e.name === 'peercompute:boot')
const bootMark = marks.marks.find(([n]) => n === 'peercompute:boot')[1]
const t0 = markEv ? markEv.ts / 1000 - bootMark : 0
const tasks = events.filter((e) => e.tid === mainTid && e.ph === 'X' && e.dur > 4000 && ['RunTask', 'ThreadControllerImpl::RunTask'].includes(e.name))
for (const t of tasks) {
  const start = t.ts / 1000 - t0
  if (start > 1200) continue
  const inner = events.filter((e) => e.tid === mainTid && e.ph === 'X' && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur && e !== t && e.dur > 2000 && !['RunTask'].includes(e.name))
  const top = inner.slice(0, 6).map((e) => `${e.name}${e.args?.data?.url ? '(' + e.args.data.url.split('/').pop() + ')' : ''}:${(e.dur / 1000).toFixed(0)}`)
  console.log(start.toFixed(0).padStart(5), (t.dur / 1000).toFixed(0).padStart(4), top.join(' '))
}
await browser.close(); await root.stop(); await rm(dataDir, { recursive: true, force: true })
