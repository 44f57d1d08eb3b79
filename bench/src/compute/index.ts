import { runComputeBench } from './computeBench.js'
import { runTopologyBench } from './topologyBench.js'

/** `npm run bench -- compute`: compute dispatch overhead, then the topology simulator. */
export async function runComputeBenches(): Promise<void> {
  await runComputeBench()
  console.log('')
  await runTopologyBench()
}
