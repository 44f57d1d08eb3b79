/**
 * Milliseconds since the epoch with sub-millisecond resolution, in Node and in browsers. Presence
 * samples carry it so a receiver on the same clock (two pages of one machine, or machines kept in
 * sync by NTP) can measure one-way delay finer than `Date.now()`'s whole milliseconds.
 */
export function wallClock(): number {
  return performance.timeOrigin + performance.now()
}
