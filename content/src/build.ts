/**
 * `npm run build -w @peercompute/content`: builds every bundle source folder into
 * `dist/bundles/<id>/`. Today that is the overworld.
 */
import { join } from 'node:path'
import { buildBundle } from './buildBundle.js'
import { contentBundlesDir, contentSourcesDir } from './index.js'

/** Bundle source folders under content/, each named after its world id. */
export const BUNDLE_SOURCES = ['overworld'] as const

try {
  for (const id of BUNDLE_SOURCES) {
    const manifest = await buildBundle(join(contentSourcesDir(), id), join(contentBundlesDir(), id))
    console.log(`built ${manifest.id} ${manifest.version}: ${manifest.files.length} files -> ${join(contentBundlesDir(), id)}`)
  }
} catch (err) {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err)
  process.exitCode = 1
}
