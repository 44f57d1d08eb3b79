import { defineConfig } from 'vitest/config'

/** Unit and integration tests of every package; end-to-end tests run under Playwright (e2e/). */
export default defineConfig({
  test: {
    include: ['{signing,world-sdk,content,kernel,client,root-server}/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default']
  }
})
