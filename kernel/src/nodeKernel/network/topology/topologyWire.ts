import { lpStream } from '@libp2p/utils'
import { z } from 'zod'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'

/** Control messages: a child joins its parent and gets the members it knows, or leaves it; cluster mates report. */
export const TOPOLOGY_PROTOCOL = '/peercompute/topology/1.0.0'
/** A short throughput probe: the dialer sends a block, the listener answers one byte once it has it all. */
export const PROBE_PROTOCOL = '/peercompute/probe/1.0.0'
/** Messages spread along the topology's links (long-lived stream per neighbour, length-prefixed frames). */
export const RELAY_PROTOCOL = '/peercompute/relay/1.0.0'

/** Largest control message accepted, bytes. */
export const MAX_CONTROL_BYTES = 64 * 1024
/** Largest probe block accepted, bytes. */
export const MAX_PROBE_BYTES = 1024 * 1024

const peerIdString = z.string().min(1).max(128)
const addrString = z.string().min(1).max(512)
const member = z.object({ id: peerIdString, addrs: z.array(addrString).max(16) })
/** A member the parent knows, with the addresses it announced. */
export type MemberInfo = z.infer<typeof member>

/** What crosses the control protocol; parsed at the boundary. */
export const controlMessageSchema = z.discriminatedUnion('t', [
  /** A child announces itself; `relay`: send it the traffic you spread (false: a cluster member behind a gateway). */
  z.object({ t: z.literal('join'), relay: z.boolean(), addrs: z.array(addrString).max(16), since: z.number().int().nonnegative() }),
  /** A child moves to another parent (its node entered another world): forget it now, not at disconnect. */
  z.object({ t: z.literal('leave') }),
  /** The parent's members (peerId and dialable addresses); `peers` is omitted when `since` is current. */
  z.object({ t: z.literal('members'), version: z.number().int().nonnegative(), peers: z.array(member).max(4096).optional() }),
  /** A node tells a cluster mate whom it links to fast, its round trip to the parent, and its gateway. */
  z.object({ t: z.literal('report'), fast: z.array(peerIdString).max(1024), parentRttMs: z.number().nonnegative().nullable(), gateway: peerIdString.nullable() })
])
export type ControlMessage = z.infer<typeof controlMessageSchema>

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Parses a control message; null for anything malformed or oversized. */
export function parseControl(bytes: Uint8Array): ControlMessage | null {
  if (bytes.byteLength > MAX_CONTROL_BYTES) return null
  try {
    const parsed = controlMessageSchema.safeParse(JSON.parse(decoder.decode(bytes)))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** Sends one control message on a new stream; with `reply`, waits for and parses the answer. */
export async function sendControl(libp2p: Libp2p, peer: PeerId, message: ControlMessage, opts: { reply: boolean; signal: AbortSignal }): Promise<ControlMessage | null> {
  const stream = await libp2p.dialProtocol(peer, TOPOLOGY_PROTOCOL, { signal: opts.signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_CONTROL_BYTES })
    await lp.write(encoder.encode(JSON.stringify(message)), { signal: opts.signal })
    const answer = opts.reply ? parseControl((await lp.read({ signal: opts.signal })).subarray()) : null
    await stream.close({ signal: opts.signal })
    return answer
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

/** Reads one control message from an incoming stream and answers it with `answer`'s result, if any. */
export async function serveControl(stream: Stream, answer: (m: ControlMessage) => ControlMessage | null): Promise<void> {
  const signal = AbortSignal.timeout(10_000)
  const lp = lpStream(stream, { maxDataLength: MAX_CONTROL_BYTES })
  const message = parseControl((await lp.read({ signal })).subarray())
  if (message == null) {
    stream.abort(new Error('malformed topology message'))
    return
  }
  const reply = answer(message)
  if (reply != null) await lp.write(encoder.encode(JSON.stringify(reply)), { signal })
  await stream.close({ signal })
}

/** A relayed message's header. */
export interface RelayHeader { id: string; origin: string; sentAt: number }

const relayHeaderSchema = z.object({ id: z.string().min(1).max(64), origin: peerIdString, sentAt: z.number() })

/** Frame: u16 header length, header JSON, payload. */
export function encodeRelayFrame(header: RelayHeader, payload: Uint8Array): Uint8Array {
  const head = encoder.encode(JSON.stringify(header))
  const frame = new Uint8Array(2 + head.byteLength + payload.byteLength)
  new DataView(frame.buffer).setUint16(0, head.byteLength)
  frame.set(head, 2)
  frame.set(payload, 2 + head.byteLength)
  return frame
}

/** Parses a relay frame; null when malformed. */
export function decodeRelayFrame(frame: Uint8Array): { header: RelayHeader; payload: Uint8Array } | null {
  if (frame.byteLength < 2) return null
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint16(0)
  if (2 + length > frame.byteLength) return null
  try {
    const parsed = relayHeaderSchema.safeParse(JSON.parse(decoder.decode(frame.subarray(2, 2 + length))))
    return parsed.success ? { header: parsed.data, payload: frame.subarray(2 + length) } : null
  } catch {
    return null
  }
}
