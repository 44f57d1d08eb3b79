import { crc32 } from 'node:zlib'

/** Bytes before each record's payload: u32 length, u32 CRC-32 of the payload (big-endian). */
export const RECORD_HEADER_BYTES = 8
/** Largest record accepted when reading: anything claiming more is a torn or corrupt header. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024

/** Frames `payload` as one record: length, CRC-32, bytes. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  return encodeRecords([payload])
}

/** Frames each payload as a record, one after the other in one buffer (a group commit writes them at once). */
export function encodeRecords(payloads: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(payloads.reduce((n, p) => n + RECORD_HEADER_BYTES + p.byteLength, 0))
  const view = new DataView(out.buffer)
  let offset = 0
  for (const payload of payloads) {
    view.setUint32(offset, payload.byteLength)
    view.setUint32(offset + 4, crc32(payload))
    out.set(payload, offset + RECORD_HEADER_BYTES)
    offset += RECORD_HEADER_BYTES + payload.byteLength
  }
  return out
}

/** The records of a file: every whole, CRC-checked record from the start, and where the good part ends. */
export interface ReadRecords {
  records: Uint8Array[]
  /** Offset just after the last good record; bytes past it are a torn or corrupt tail. */
  validBytes: number
}

/**
 * Reads records from the start of `bytes` and stops at the first that is incomplete or fails its
 * CRC: an append cut short by a crash leaves exactly such a tail, and nothing after it can be trusted.
 */
export function decodeRecords(bytes: Uint8Array): ReadRecords {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: Uint8Array[] = []
  let offset = 0
  while (offset + RECORD_HEADER_BYTES <= bytes.byteLength) {
    const length = view.getUint32(offset)
    const sum = view.getUint32(offset + 4)
    const end = offset + RECORD_HEADER_BYTES + length
    if (length === 0 || length > MAX_RECORD_BYTES || end > bytes.byteLength) break
    const payload = bytes.subarray(offset + RECORD_HEADER_BYTES, end)
    if (crc32(payload) !== sum) break
    records.push(payload)
    offset = end
  }
  return { records, validBytes: offset }
}
