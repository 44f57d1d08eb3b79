import { describe, expect, it } from 'vitest'
import type { WorldListing } from '@peercompute/kernel'
import { WorldListFeed } from '../../src/worlds/worldListFeed.js'

const world = (version: string): WorldListing => ({ id: 'meadow', name: 'Meadow', version, publisher: 'p', parent: 'overworld' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('WorldListFeed', () => {
  it('loads at start, then at every interval, until stopped', async () => {
    let loads = 0
    const lists: WorldListing[][] = []
    const feed = new WorldListFeed({ load: async () => [world(`1.0.${loads++}`)], onList: (l) => lists.push(l), onError: (e) => { throw e }, intervalMs: 20 })
    feed.start()
    await sleep(75)
    feed.stop()
    const seen = lists.length
    expect(seen).toBeGreaterThanOrEqual(3)
    expect(lists[0]![0]!.version).toBe('1.0.0')
    await sleep(50)
    expect(lists.length).toBe(seen)
  })

  it('joins a refresh asked for while one is loading, and reports failures without stopping', async () => {
    let loads = 0
    let fail = true
    const errors: unknown[] = []
    const lists: WorldListing[][] = []
    const feed = new WorldListFeed({
      load: async () => {
        loads++
        await sleep(10)
        if (fail) throw new Error('root restarting')
        return [world('2.0.0')]
      },
      onList: (l) => lists.push(l),
      onError: (e) => errors.push(e),
      intervalMs: 60_000,
    })
    await Promise.all([feed.refresh(), feed.refresh(), feed.refresh()])
    expect(loads).toBe(1)
    expect(String(errors[0])).toMatch(/root restarting/)
    fail = false
    await feed.refresh()
    expect(lists).toEqual([[world('2.0.0')]])
    feed.stop()
  })
})
