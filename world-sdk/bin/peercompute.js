#!/usr/bin/env node
// The `peercompute` command line: init, keygen, build, sign, verify, publish, worlds, root.
// Its code is world-sdk/src/cli (compiled to dist/cli).
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  console.error('peercompute: @peercompute/world-sdk is not built. In the PeerCompute repo run "npx tsc -b world-sdk" (or "npm run build").')
  process.exit(1)
}
const { runCli } = await import(main.href)
process.exitCode = await runCli(process.argv.slice(2))
