/**
 * Performance marks along the boot (`peercompute:<step>`), so the first-frame benchmark and a
 * person in the browser's performance panel can see where start-up time goes.
 */
export type BootStep =
  | 'boot'
  | 'well-known'
  | 'bundle-verified'
  | 'renderer'
  | 'scene-built'
  | 'node-started'
  | 'world-entered'
  | 'worlds-listed'

/** Sets the mark `peercompute:<step>` (once; later calls for the same step are ignored). */
export function markBoot(step: BootStep): void {
  const name = `peercompute:${step}`
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name)
}
