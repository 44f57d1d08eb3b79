import { chromium } from '@playwright/test'
import type { Page } from '@playwright/test'
import { chromiumLaunchOptions } from '../src/browser.js'
import { canvasVariety, expect, newPlayerContext, statusOf, test } from './fixtures.js'

/** Flow 1 of DESIGN.md: open the root's page, pick a name, walk around with other players. */
test.describe('explore the overworld', () => {
  test('two players see each other, walk, and talk over direct WebRTC', async ({ player }) => {
    const alice = await player('Alice')
    const bob = await player('Bob')

    const a = await statusOf(alice)
    const b = await statusOf(bob)
    expect(a.world?.id).toBe('overworld')
    expect(a.renderer).toBe('webgpu')
    expect(a.peerId).toMatch(/^12D3Koo/)

    // Each sees the other in its player list within 10 s.
    await expect.poll(async () => (await statusOf(alice)).players.map((p) => p.name), { timeout: 10_000 }).toContain('Bob')
    await expect.poll(async () => (await statusOf(bob)).players.map((p) => p.name), { timeout: 10_000 }).toContain('Alice')

    // The A-B link becomes a direct WebRTC connection (signalled through the root's relay).
    await expect.poll(async () => transportTo(alice, b.peerId), { timeout: 30_000 }).toBe('webrtc')
    await expect.poll(async () => transportTo(bob, a.peerId), { timeout: 30_000 }).toBe('webrtc')

    // Alice walks forward with the keyboard; Bob sees her position change.
    const before = await positionSeenBy(bob, 'Alice')
    await alice.locator('canvas').first().click()
    await alice.keyboard.down('KeyW')
    await alice.waitForTimeout(2_000)
    await alice.keyboard.up('KeyW')
    await expect.poll(async () => distance(before, await positionSeenBy(bob, 'Alice')), { timeout: 10_000 }).toBeGreaterThan(2)

    // The HUD shows what the status says, and the canvas shows a world, not a flat colour.
    await expect(alice.getByTestId('hud')).toContainText('Overworld')
    expect(await canvasVariety(alice)).toBeGreaterThan(0.05)
    expect(await canvasVariety(bob)).toBeGreaterThan(0.05)
  })

  test('players whose WebRTC cannot connect still play through the root', async ({ root }) => {
    // These pages have no working WebRTC, as with a privacy extension or a policy that disables it
    // (every RTCPeerConnection fails at once): the direct link cannot form, and presence must keep
    // flowing through the root. (Blocking UDP from outside is not reliable here: any interface the
    // machine has, a Docker bridge say, gives Chromium a working host candidate.)
    const browser = await chromium.launch(chromiumLaunchOptions('webgl2'))
    try {
      const open = async (name: string): Promise<Page> => {
        const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 640, height: 400 } })
        await context.addInitScript(() => {
          const blocked = function RTCPeerConnection(): never {
            throw new DOMException('WebRTC is disabled in this browser', 'NotSupportedError')
          }
          Object.defineProperty(window, 'RTCPeerConnection', { value: blocked, configurable: true })
        })
        const page = await context.newPage()
        await page.goto(`${root.url}?name=${name}`)
        await expect(page.locator('body')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
        return page
      }
      const erin = await open('Erin')
      const frank = await open('Frank')
      await expect.poll(async () => (await statusOf(erin)).players.map((p) => p.name), { timeout: 10_000 }).toContain('Frank')
      await expect.poll(async () => (await statusOf(frank)).players.map((p) => p.name), { timeout: 10_000 }).toContain('Erin')
      const frankId = (await statusOf(frank)).peerId

      const before = await positionSeenBy(frank, 'Erin')
      await erin.locator('canvas').first().click()
      await erin.keyboard.down('KeyW')
      await erin.waitForTimeout(2_000)
      await erin.keyboard.up('KeyW')
      await expect.poll(async () => distance(before, await positionSeenBy(frank, 'Erin')), { timeout: 10_000 }).toBeGreaterThan(2)
      // By now the WebRTC dial has been tried and failed; the players never linked directly.
      expect(await transportTo(erin, frankId)).not.toBe('webrtc')
      expect((await statusOf(erin)).peers.some((p) => p.transport === 'websockets')).toBe(true)
    } finally {
      await browser.close()
    }
  })

  test('the WebGL2 fallback renders when asked for it', async ({ player }) => {
    const page = await player('Carol', '&renderer=webgl2')
    expect((await statusOf(page)).renderer).toBe('webgl2')
    expect(await canvasVariety(page)).toBeGreaterThan(0.05)
  })

  test('a WebGPU device that is lost on its first frame falls back to WebGL2', async ({ root }) => {
    const browser = await chromium.launch(chromiumLaunchOptions('webgpu-broken'))
    try {
      const page = await (await newPlayerContext(browser)).newPage()
      await page.goto(`${root.url}?name=Dave`)
      await expect(page.locator('body')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
      expect((await statusOf(page)).renderer).toBe('webgl2')
      expect(await canvasVariety(page)).toBeGreaterThan(0.05)
    } finally {
      await browser.close()
    }
  })
})

test.describe('a tampered overworld bundle', () => {
  test('a file altered in transit is refused and none of it runs', async ({ browser, root }) => {
    const page = await (await newPlayerContext(browser)).newPage()
    let tampered = 0
    await page.route('**/blobs/**', async (route) => {
      const response = await route.fetch()
      const body = Buffer.from(await response.body())
      body[Math.floor(body.length / 2)] ^= 0x20
      tampered++
      await route.fulfill({ response, body })
    })
    const peersBefore = root.peerCount()
    await page.goto(`${root.url}?name=Mallory`)
    await expect(page.locator('body')).toHaveAttribute('data-state', 'error')
    await expect(page.getByTestId('error')).toContainText('BundleHashError')
    expect(tampered).toBeGreaterThan(0)
    // Nothing ran: no node, no scene, no connection to the root.
    expect(await page.evaluate(() => typeof (window as unknown as { peercompute?: { getStatus?: unknown } }).peercompute?.getStatus)).toBe('undefined')
    expect(await page.locator('canvas').count()).toBe(0)
    expect(root.peerCount()).toBe(peersBefore)
  })

  test('a manifest signed by another key is refused', async ({ browser, root }) => {
    const page = await (await newPlayerContext(browser)).newPage()
    await page.route('**/api/worlds/overworld/manifest', async (route) => {
      const response = await route.fetch()
      const jws = (await response.json()) as { payload: string; signatures: { protected: string; signature: string }[] }
      const sig = jws.signatures[0]!
      // Flip one character of the signature: a forgery the root's key cannot have made.
      const flipped = sig.signature.startsWith('A') ? `B${sig.signature.slice(1)}` : `A${sig.signature.slice(1)}`
      await route.fulfill({ response, json: { ...jws, signatures: [{ ...sig, signature: flipped }] } })
    })
    await page.goto(`${root.url}?name=Mallory`)
    await expect(page.locator('body')).toHaveAttribute('data-state', 'error')
    await expect(page.getByTestId('error')).toContainText('BundleSignatureError')
    expect(await page.locator('canvas').count()).toBe(0)
  })
})

async function transportTo(page: Page, peerId: string | null): Promise<string | undefined> {
  const status = await statusOf(page)
  const links = status.peers.filter((p) => p.peerId === peerId).map((p) => p.transport)
  return links.includes('webrtc') ? 'webrtc' : links[0]
}

async function positionSeenBy(page: Page, name: string): Promise<[number, number, number]> {
  const status = await statusOf(page)
  const player = status.players.find((p) => p.name === name)
  if (player === undefined) throw new Error(`${name} is not in the player list (players ${JSON.stringify(status.players.map((p) => p.name))}, peers ${JSON.stringify(status.peers)}, dropped ${JSON.stringify((status as unknown as { dropped: unknown }).dropped)})`)
  return player.position
}

function distance(a: [number, number, number], b: [number, number, number]): number {
  return Math.hypot(a[0] - b[0], a[2] - b[2])
}
