import { chatEntrySchema } from './stateSchemas.js'
import { CONTAINER_IDS, parseComponent, parseSetting } from './worldSchema.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { JsonSchema } from 'loro-crdt'

/**
 * Where an update came from, which decides what it may change:
 * - `live`: published by its author on the world's state or chat topic: state updates touch only
 *   the scene, chat updates only append lines signed by that author;
 * - `relayed`: history handed over by a sync exchange (a reply from the parent, a push from a
 *   child): any author, but still only well-formed scene, chat and settings operations.
 * Settings change only when `authority` is set (the world's host, or history the host relayed).
 */
export type UpdateOrigin =
  | { kind: 'live'; channel: 'state' | 'chat'; author: string; authority: boolean }
  | { kind: 'relayed'; authority: boolean }

/** What the rules found: the chat lines the update adds, or why it is refused. */
export type RulesVerdict = { ok: true; chat: ChatMessage[] } | { ok: false; reason: DropReason }

const NODE_MAP = /^cid:(\d+)@(\d+):Map$/

/**
 * Checks the operations of an update (as Loro's JSON updates give them, peers compressed to
 * indices) against the world schema. `isNode` tells whether a TreeID names a scene node, so
 * map operations can only touch entity data maps.
 */
export function checkUpdate(json: JsonSchema, origin: UpdateOrigin, chatMaxLength: number, isNode: (id: string) => boolean): RulesVerdict {
  const chat: ChatMessage[] = []
  for (const change of json.changes) {
    for (const op of change.ops) {
      const content = op.content as { type: string; key?: string; value?: unknown }
      if (origin.kind === 'live' && origin.channel === 'chat' && op.container !== CONTAINER_IDS.chat) return { ok: false, reason: 'shape' }
      switch (op.container) {
        case CONTAINER_IDS.chat: {
          if (origin.kind === 'live' && origin.channel !== 'chat') return { ok: false, reason: 'shape' }
          if (content.type !== 'insert') return { ok: false, reason: 'shape' }
          const values = content.value
          for (const value of Array.isArray(values) ? values : [values]) {
            const parsed = chatEntrySchema.safeParse(value)
            if (!parsed.success || parsed.data.text.length > Math.max(chatMaxLength, 1)) return { ok: false, reason: 'shape' }
            if (origin.kind === 'live' && parsed.data.author !== origin.author) return { ok: false, reason: 'spoofed' }
            chat.push(parsed.data)
          }
          break
        }
        case CONTAINER_IDS.scene:
          if (!['create', 'move', 'delete'].includes(content.type)) return { ok: false, reason: 'shape' }
          break
        case CONTAINER_IDS.settings:
          if (!origin.authority) return { ok: false, reason: 'spoofed' }
          if (!mapOpValid(content, parseSetting)) return { ok: false, reason: 'shape' }
          break
        default: {
          const m = NODE_MAP.exec(op.container)
          const peer = m == null ? undefined : json.peers[Number(m[2])]
          if (m == null || peer == null || !isNode(`${m[1]}@${peer}`)) return { ok: false, reason: 'shape' }
          if (!mapOpValid(content, parseComponent)) return { ok: false, reason: 'shape' }
        }
      }
    }
  }
  return { ok: true, chat }
}

function mapOpValid(content: { type: string; key?: string; value?: unknown }, parse: (key: string, value: unknown) => unknown): boolean {
  if (content.type === 'delete') return true
  return content.type === 'insert' && content.key != null && parse(content.key, content.value) != null
}
