// @ts-check
/**
 * Loads the client from a root (here: the one in the compose stack) in headless Chromium and checks
 * that a player gets into the overworld: the page reaches `data-state="running"`, the canvas shows a
 * picture rather than one flat colour, and the player's node is connected to the root's libp2p node
 * (through the p2p port the container publishes). Prints one JSON line with what it saw.
 *
 *   node e2e/docker/browserCheck.mjs <root url> <root peerId> [chat text]
 *
 * With a chat text the player also says it in the overworld: world state the root must persist.
 *
 * Exit 0 when all holds; 1 with one plain line on stderr naming what failed.
 */
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '@peercompute/e2e/browser'
import { canvasVariety } from '@peercompute/e2e/canvas'

const [url, rootPeerId, chatText] = process.argv.slice(2)
if (url === undefined || rootPeerId === undefined) {
  console.error('usage: node e2e/docker/browserCheck.mjs <root url> <root peerId>')
  process.exit(2)
}

/** Reads the node's status (the client sets `window.peercompute`, see docs/ARCHITECTURE.md). */
function statusOf(page) {
  return page.evaluate(() => {
    const node = /** @type {any} */ (window).peercompute
    return node === undefined ? null : node.getStatus()
  })
}

const browser = await chromium.launch(chromiumLaunchOptions('webgpu'))
let failure = null
const seen = {}
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 960, height: 600 } })
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err.message))
  await page.goto(`${url}?name=docker-check`)
  // Either state ends the wait: an error screen is a failure worth reporting at once.
  await page.waitForFunction(() => ['running', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 90_000 })
    .catch(() => undefined)
  seen.state = await page.evaluate(() => document.body.dataset.state ?? null)
  if (seen.state !== 'running') {
    const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300)
    throw new Error(`the page did not reach data-state="running" (it is ${JSON.stringify(seen.state)}): ${text}` +
      (pageErrors.length > 0 ? ` | page errors: ${pageErrors.slice(0, 3).join(' | ')}` : ''))
  }
  // Give the renderer a few frames after the state flips, then look at the picture.
  await page.waitForTimeout(2000)
  seen.canvasVariety = Number((await canvasVariety(page)).toFixed(3))
  if (seen.canvasVariety <= 0.05) throw new Error(`the canvas is blank (only ${seen.canvasVariety} of its pixels differ from the most common colour)`)
  const deadline = Date.now() + 30_000
  let status = await statusOf(page)
  while (status !== null && !status.peers.some((p) => p.peerId === rootPeerId) && Date.now() < deadline) {
    await page.waitForTimeout(500)
    status = await statusOf(page)
  }
  if (status === null) throw new Error('the page runs but window.peercompute is not set, so its node cannot be checked')
  Object.assign(seen, { renderer: status.renderer, fps: status.fps, pingMs: status.pingMs, peers: status.peers.length })
  if (!status.peers.some((p) => p.peerId === rootPeerId)) {
    throw new Error(`the player's node never connected to the root's libp2p node ${rootPeerId} (peers: ${JSON.stringify(status.peers)})`)
  }
  if (chatText !== undefined) {
    await page.evaluate((text) => /** @type {any} */ (window).peercompute.kernel.state.sendChat(text), chatText)
    // The root logs it when the gossip arrives; give that a moment before the page goes away.
    await page.waitForTimeout(2000)
    seen.chat = chatText
  }
  await context.close()
} catch (err) {
  failure = err instanceof Error ? err.message : String(err)
} finally {
  await browser.close()
}
console.log(JSON.stringify(seen))
if (failure !== null) {
  console.error(failure)
  process.exit(1)
}
