import type { Page } from '@playwright/test'

/**
 * The floor for presence latency: a bare RTCDataChannel between the same two pages, signalled
 * through this process, with `samples` ping/pong round trips at 20 Hz; returns round trip / 2.
 */
export async function rawChannelOneWay(a: Page, b: Page, samples: number): Promise<number[]> {
  const offer = await a.evaluate(async () => {
    const pc = new RTCPeerConnection()
    const channel = pc.createDataChannel('bench', { ordered: true })
    Object.assign(window, { benchPc: pc, benchChannel: channel })
    await pc.setLocalDescription(await pc.createOffer())
    await gathered(pc)
    return pc.localDescription?.toJSON()
    function gathered(conn: RTCPeerConnection): Promise<void> {
      return new Promise((resolve) => {
        if (conn.iceGatheringState === 'complete') resolve()
        conn.addEventListener('icegatheringstatechange', () => { if (conn.iceGatheringState === 'complete') resolve() })
      })
    }
  })
  const answer = await b.evaluate(async (remote) => {
    const pc = new RTCPeerConnection()
    pc.addEventListener('datachannel', ({ channel }) => {
      channel.addEventListener('message', ({ data }) => channel.send(data as string))
    })
    Object.assign(window, { benchPc: pc })
    await pc.setRemoteDescription(remote as RTCSessionDescriptionInit)
    await pc.setLocalDescription(await pc.createAnswer())
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve()
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
    })
    return pc.localDescription?.toJSON()
  }, offer)
  return a.evaluate(
    async ([remote, count]) => {
      const w = window as unknown as { benchPc: RTCPeerConnection; benchChannel: RTCDataChannel }
      await w.benchPc.setRemoteDescription(remote as RTCSessionDescriptionInit)
      const channel = w.benchChannel
      if (channel.readyState !== 'open') await new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }))
      const delays: number[] = []
      for (let i = 0; i < count; i++) {
        const sent = performance.now()
        const echoed = new Promise<void>((resolve) => channel.addEventListener('message', () => resolve(), { once: true }))
        channel.send(JSON.stringify({ i, sent }))
        await echoed
        delays.push((performance.now() - sent) / 2)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      w.benchPc.close()
      return delays
    },
    [answer, samples] as const
  )
}
