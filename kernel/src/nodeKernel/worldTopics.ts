/** Where a root announces newly published worlds (JSON `{ id, name, version, publisher, parent, url }`). */
export const WORLDS_TOPIC = '/peercompute/1/worlds'

/** The gossipsub channels of one world. */
export type WorldChannel = 'presence' | 'state' | 'chat'

/** The gossipsub topic names of one world (see ARCHITECTURE.md). */
export interface WorldTopics {
  presence: string
  state: string
  chat: string
}

/** Topic names for world `id`: `/peercompute/1/world/<id>/{presence,state,chat}`. */
export function worldTopics(id: string): WorldTopics {
  const base = `/peercompute/1/world/${id}`
  return { presence: `${base}/presence`, state: `${base}/state`, chat: `${base}/chat` }
}

/**
 * The topic on which world `id`'s host publishes its props' poses (`/peercompute/1/world/<id>/props`);
 * kept apart from `worldTopics` because the world's prop sync, not the NetworkManager, carries it.
 */
export function worldPropsTopic(id: string): string {
  return `/peercompute/1/world/${id}/props`
}

/** The world id and channel a topic belongs to, or null for a topic that is not a world's. */
export function parseWorldTopic(topic: string): { world: string; channel: WorldChannel } | null {
  const m = /^\/peercompute\/1\/world\/([a-z0-9][a-z0-9-]{1,62})\/(presence|state|chat)$/.exec(topic)
  return m == null ? null : { world: m[1] as string, channel: m[2] as WorldChannel }
}
