/** Summary figures of a sample of durations in milliseconds. */
export interface Summary { n: number; p50: number; p99: number; mean: number }

/** Nearest-rank percentiles and the mean of a sample. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, p50: Number.NaN, p99: Number.NaN, mean: Number.NaN }
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length }
}

/** One line of a benchmark table: the figure, its baseline from the same run, and their ratio. */
export function row(label: string, value: number, baseline: number, unit: string, target?: string): string {
  const ratio = value / baseline
  const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : 'n/a')
  return `${label.padEnd(44)} ${fmt(value).padStart(9)} ${unit.padEnd(3)} | baseline ${fmt(baseline).padStart(9)} ${unit.padEnd(3)} | ratio ${fmt(ratio).padStart(6)}x${target === undefined ? '' : `  (target ${target})`}`
}
