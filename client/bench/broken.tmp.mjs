import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../../e2e/dist/browser.js'
import { startRoot } from '../../root-server/dist/index.js'
const n = Number(process.argv[2] ?? 5)
const roots = { new: await startRoot({ port: 0, host: '127.0.0.1', dataDir: await mkdtemp(join(tmpdir(), 'pc-b-')) }), old: await startRoot({ port: 0, host: '127.0.0.1', dataDir: await mkdtemp(join(tmpdir(), 'pc-b-')), clientDir: '/tmp/before/client/dist' }) }
const result = { new: [], old: [] }
for (let i = 0; i < n; i++) for (const [k, root] of Object.entries(roots)) {
  const browser = await chromium.launch(chromiumLaunchOptions('webgpu-broken'))
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'] })).newPage()
  const logs = []
  page.on('console', (m) => logs.push(m.text()))
  await page.goto(`${root.url}?name=Dave`)
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', undefined, { timeout: 60_000 }).catch(() => undefined)
  const state = await page.evaluate(() => document.body.dataset.state + ' ' + (document.querySelector('#error .error-message')?.textContent ?? ''))
  result[k].push(state.slice(0, 140))
  if (!state.startsWith('running')) console.log(k, state, logs.filter((l) => /renderer|lost|WebGL|error/i.test(l)).slice(0, 8))
  await browser.close()
}
console.log(JSON.stringify(result, null, 1))
for (const r of Object.values(roots)) await r.stop()
