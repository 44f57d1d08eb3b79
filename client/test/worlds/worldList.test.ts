import { describe, expect, it } from 'vitest'
import { RootFetchError } from '../../src/bundle/errors.js'
import { loadWorldList, parseWorldList, shortThumbprint, WorldListError } from '../../src/worlds/worldList.js'

const key = { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) }
const summary = (id: string, extra: Record<string, unknown> = {}) => ({
  id, name: id[0]!.toUpperCase() + id.slice(1), version: '1.0.0', publisher: `thumb-${id}-0123456789abcdef`,
  publisherKey: key, parent: id === 'overworld' ? null : 'overworld', manifest: `/api/worlds/${id}/manifest`, ...extra,
})

describe('parseWorldList', () => {
  it('keeps what the list shows, sorted by id', () => {
    const worlds = parseWorldList({ worlds: [summary('overworld'), summary('meadow'), summary('garden')] })
    expect(worlds.map((w) => w.id)).toEqual(['garden', 'meadow', 'overworld'])
    expect(worlds[2]).toEqual({ id: 'overworld', name: 'Overworld', version: '1.0.0', publisher: 'thumb-overworld-0123456789abcdef', parent: null, hosts: 0 })
  })

  it('counts the hosts each world has now', () => {
    const host = { peerId: '12D3KooWhost', multiaddrs: [], since: 1 }
    const [moon] = parseWorldList({ worlds: [summary('moon', { hosts: [host, { ...host, peerId: 'other' }] })] })
    expect(moon?.hosts).toBe(2)
  })

  it('refuses a body that is not a world list, naming where', () => {
    expect(() => parseWorldList({ worlds: [summary('meadow', { version: 3 })] })).toThrow(WorldListError)
    expect(() => parseWorldList({ worlds: [summary('meadow', { version: 3 })] })).toThrow(/at "worlds\.0\.version"/)
    expect(() => parseWorldList({ worlds: [summary('../etc')] })).toThrow(/worlds\.0\.id/)
    expect(() => parseWorldList([])).toThrow(WorldListError)
  })
})

describe('loadWorldList', () => {
  it('fetches /api/worlds', async () => {
    const seen: string[] = []
    const worlds = await loadWorldList(async (url) => {
      seen.push(url)
      return new Response(JSON.stringify({ worlds: [summary('overworld')] }))
    }, 'https://root.example')
    expect(seen).toEqual(['https://root.example/api/worlds'])
    expect(worlds).toHaveLength(1)
  })

  it('says when the root fails or answers something else', async () => {
    await expect(loadWorldList(async () => new Response('busy', { status: 503 }))).rejects.toBeInstanceOf(RootFetchError)
    await expect(loadWorldList(async () => new Response('<html>'))).rejects.toThrow(/is not JSON/)
  })
})

describe('shortThumbprint', () => {
  it('shows the first 8 and last 4 characters of a long thumbprint', () => {
    expect(shortThumbprint('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')).toBe('NzbLsXh8…C9Xs')
    expect(shortThumbprint('short')).toBe('short')
  })
})
