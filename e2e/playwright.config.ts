import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './src/browser.js'

/**
 * End-to-end tests in real Chromium against a real root (started by the tests themselves on a free
 * port). One worker: each test drives several pages that render on a software GPU, and CI has 2 cores.
 */
export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../test-results/e2e',
  use: {
    ignoreHTTPSErrors: true,
    permissions: ['camera', 'microphone'],
    launchOptions: chromiumLaunchOptions('webgpu'),
    viewport: { width: 960, height: 600 },
    trace: 'retain-on-failure'
  }
})
