#!/usr/bin/env node
import { runBundleVerifyBench } from './bundles/verifyBench.js'
import { runOverworldBench } from './overworld/overworldBench.js'
import { runComputeBenches } from './compute/index.js'
import { runStateBench } from './state/stateBench.js'
import { runWorldsBench } from './worlds/worldsBench.js'

/**
 * `npm run bench`: every benchmark, each figure printed beside a baseline measured in the same run.
 * Figures on a machine without a GPU come from SwiftShader: read the ratios, not the absolute values.
 */
async function main(): Promise<void> {
  const only = process.argv[2]
  const benches: Record<string, () => Promise<void>> = {
    overworld: runOverworldBench,
    bundles: runBundleVerifyBench,
    state: runStateBench,
    compute: runComputeBenches,
    worlds: runWorldsBench
  }
  for (const [name, bench] of Object.entries(benches)) {
    if (only !== undefined && only !== name) continue
    console.log(`\n== ${name} ==`)
    await bench()
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err)
  process.exit(1)
})
