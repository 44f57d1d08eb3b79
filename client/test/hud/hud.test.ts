import { describe, expect, it } from 'vitest'
import { describePeers } from '../../src/hud/hud.js'

describe('describePeers', () => {
  it('counts peers by transport, most common first', () => {
    expect(describePeers([])).toBe('0')
    expect(describePeers([{ transport: 'websockets' }, { transport: 'webrtc' }, { transport: 'webrtc' }])).toBe('3 (2 webrtc, 1 websockets)')
  })
})
