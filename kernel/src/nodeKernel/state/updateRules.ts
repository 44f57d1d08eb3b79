import { chatEntrySchema } from './stateSchemas.js'
import { CONTAINER_IDS, parseComponent, parseSetting } from './worldSchema.js'
import type { ChatMessage, DropReason } from '../KernelEvents.js'
import type { JsonChange } from 'loro-crdt'

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

/** What the rules found: the chat lines and scene nodes the update adds, or why it is refused. */
export type RulesVerdict = { ok: true; chat: ChatMessage[]; created: Set<string> } | { ok: false; reason: DropReason }

const NODE_MAP = /^cid:(\d+)@(\d+):Map$/

/**
 * Checks the operations of an update (the changes it adds, as Loro's JSON gives them, with
 * whole peer ids) against the world schema. `known` tells whether a TreeID names a scene node
 * the document held before the update; with the nodes the update creates, those are the only
 * nodes its operations may name: map operations touch only entity data maps, and a tree
 * operation never names a node nobody created (Loro would conjure it up, and place it
 * differently on a node that imports the update alone than on one that loads the history at once).
 */
export function checkUpdate(changes: JsonChange[], origin: UpdateOrigin, chatMaxLength: number, known: (id: string) => boolean): RulesVerdict {
  const created = new Set<string>()
  for (const change of changes) {
    for (const op of change.ops) {
      const content = op.content as SceneOp
      if (op.container === CONTAINER_IDS.scene && content.type === 'create' && content.target != null) created.add(content.target)
    }
  }
  const isNode = (id: string): boolean => created.has(id) || known(id)
  const chat: ChatMessage[] = []
  for (const change of changes) {
    for (const op of change.ops) {
      const content = op.content as { type: string; key?: string; value?: unknown } & SceneOp
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
          if (!sceneOpValid(content, isNode)) return { ok: false, reason: 'shape' }
          break
        case CONTAINER_IDS.settings:
          if (!origin.authority) return { ok: false, reason: 'spoofed' }
          if (!mapOpValid(content, parseSetting)) return { ok: false, reason: 'shape' }
          break
        default: {
          const m = NODE_MAP.exec(op.container)
          if (m == null || !isNode(`${m[1]}@${m[2]}`)) return { ok: false, reason: 'shape' }
          if (!mapOpValid(content, parseComponent)) return { ok: false, reason: 'shape' }
        }
      }
    }
  }
  return { ok: true, chat, created }
}

/** A tree operation as Loro's JSON gives it: nodes as `counter@peer`, `parent` null at the top. */
interface SceneOp { type: string; target?: string; parent?: string | null }

function sceneOpValid(op: SceneOp, isNode: (id: string) => boolean): boolean {
  if (op.type !== 'create' && op.type !== 'move' && op.type !== 'delete') return false
  if (op.target == null || !isNode(op.target)) return false
  return op.type === 'delete' || op.parent == null || isNode(op.parent)
}

function mapOpValid(content: { type: string; key?: string; value?: unknown }, parse: (key: string, value: unknown) => unknown): boolean {
  if (content.type === 'delete') return true
  return content.type === 'insert' && content.key != null && parse(content.key, nullsRestored(content.value)) != null
}

/** Loro's `exportJsonInIdSpan` gives a null inside a value as `undefined`; the update itself holds null. */
function nullsRestored(value: unknown): unknown {
  if (value === undefined) return null
  if (Array.isArray(value)) return value.map(nullsRestored)
  if (value != null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nullsRestored(v)]))
  return value
}
