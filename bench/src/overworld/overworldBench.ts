import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import type { Browser, Page } from '@playwright/test'
import { chromiumLaunchOptions } from '@peercompute/e2e/browser'
import { startRoot } from '@peercompute/root-server'
import { row, summarize } from '../stats.js'
import { rawChannelOneWay } from './rawChannel.js'

const PRESENCE_SAMPLES = 500
const FIRST_FRAME_RUNS = 3

/**
 * Issue 3's figures: presence latency between two browser pages beside a raw RTCDataChannel between
 * the same pages, and time to the overworld's first frame beside a bare Babylon scene.
 */
export async function runOverworldBench(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'peercompute-bench-'))
  const root = await startRoot({ port: 0, host: '127.0.0.1', publicHost: 'localhost', dataDir })
  const browser = await chromium.launch(chromiumLaunchOptions('webgpu'))
  try {
    const [alice, bob] = [await openPlayer(browser, root.url, 'Alice'), await openPlayer(browser, root.url, 'Bob')]
    const bobId = await bob.evaluate(() => window.peercompute.getStatus().peerId)
    await waitForWebRTC(alice, bobId)

    const presence = summarize(await presenceLatency(alice, bob, PRESENCE_SAMPLES))
    const raw = summarize(await rawChannelOneWay(alice, bob, PRESENCE_SAMPLES))
    console.log(`presence updates A -> B: ${presence.n}, raw channel pings: ${raw.n}`)
    console.log(row('presence latency p50 (browser to browser)', presence.p50, raw.p50, 'ms'))
    console.log(row('presence latency p99 (browser to browser)', presence.p99, raw.p99, 'ms', 'p99 within 10 ms of raw'))
    console.log(`  p99 difference: ${(presence.p99 - raw.p99).toFixed(2)} ms`)
    // The first-frame runs get the machine to themselves: the two players leave first.
    await Promise.all([alice.context().close(), bob.context().close()])

    const world: number[] = []
    const bare: number[] = []
    for (let i = 0; i < FIRST_FRAME_RUNS; i++) {
      bare.push(await firstFrame(browser, `${root.url}bench/bare.html`))
      world.push(await firstFrame(browser, `${root.url}?name=Bench${i}`))
    }
    const w = summarize(world)
    const b = summarize(bare)
    console.log(row('time to first frame, overworld (median of 3)', w.p50, b.p50, 'ms', '<= 1.5x'))
  } finally {
    await browser.close()
    await root.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function openPlayer(browser: Browser, url: string, name: string): Promise<Page> {
  // Small views: on a machine without a GPU the software renderer otherwise takes the main thread
  // that both the presence path and the raw channel baseline run on.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'], viewport: { width: 480, height: 300 } })
  const page = await context.newPage()
  await page.goto(`${url}?name=${name}`)
  await page.waitForSelector('body[data-state="running"]', { timeout: 60_000 })
  return page
}

async function waitForWebRTC(page: Page, peerId: string | null): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const peers = await page.evaluate(() => window.peercompute.getStatus().peers)
    if (peers.some((p) => p.peerId === peerId && p.transport === 'webrtc')) return
    await page.waitForTimeout(250)
  }
  throw new Error('The two benchmark pages never formed a direct WebRTC connection; the latency figures would measure the relay.')
}

/** One-way delay of presence updates from `from` to `to`, read from the receiver's presence events. */
async function presenceLatency(from: Page, to: Page, samples: number): Promise<number[]> {
  const fromId = await from.evaluate(() => window.peercompute.getStatus().peerId)
  await from.keyboard.down('KeyW') // a moving avatar: every update carries a new pose
  try {
    return await to.evaluate(
      ([peerId, count]) =>
        new Promise<number[]>((resolve, reject) => {
          const delays: number[] = []
          const timer = setTimeout(() => reject(new Error(`only ${delays.length} presence updates arrived`)), count * 200)
          window.peercompute.kernel.addEventListener('presence:update', (event) => {
            const { peerId: sender, sentAt, receivedAt } = event.detail
            if (sender !== peerId) return
            delays.push(receivedAt - sentAt)
            if (delays.length === count) {
              clearTimeout(timer)
              resolve(delays)
            }
          })
        }),
      [fromId, samples] as const
    )
  } finally {
    await from.keyboard.up('KeyW')
  }
}

/** Milliseconds from navigation start to the page's `peercompute:first-frame` mark, in a fresh context. */
async function firstFrame(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'] })
  try {
    const page = await context.newPage()
    await page.goto(url)
    const handle = await page.waitForFunction(() => performance.getEntriesByName('peercompute:first-frame')[0]?.startTime, undefined, { timeout: 60_000 })
    return (await handle.jsonValue()) as number
  } finally {
    await context.close()
  }
}
