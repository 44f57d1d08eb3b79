import type { Page } from '@playwright/test'

/**
 * Whether the page's canvas shows a picture rather than one flat colour: its screenshot is decoded
 * in the page and the share of pixels that differ from the most common colour is returned (0 = blank).
 */
export async function canvasVariety(page: Page): Promise<number> {
  const png = await page.locator('canvas').first().screenshot()
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
    const ctx = canvas.getContext('2d')
    if (ctx === null) throw new Error('no 2d context')
    ctx.drawImage(bitmap, 0, 0)
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height)
    const counts = new Map<number, number>()
    for (let i = 0; i < data.length; i += 4) {
      const key = ((data[i]! >> 3) << 10) | ((data[i + 1]! >> 3) << 5) | (data[i + 2]! >> 3)
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return 1 - Math.max(...counts.values()) / (data.length / 4)
  }, png.toString('base64'))
}
