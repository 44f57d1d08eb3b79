import { currentVersion } from './worldHistory.js'
import type { WorldReplica } from './WorldReplica.js'
import type { EntityView, WorldSettings } from './worldSchema.js'
import type { ChatMessage } from '../KernelEvents.js'
import type { BasisRules } from '@peercompute/world-sdk'

/** Read access to the world a node is in, for every manager and binding (only the StateManager writes). */
export interface WorldView {
  id: string
  name: string
  rules: BasisRules
  /** The current version (frontiers), as `history()` lists versions. */
  version(): string
  /** Every entity; O(entities): prefer `entity(id)` in a frame loop. */
  entities(): EntityView[]
  entity(id: string): EntityView | null
  /** Children of an entity, or the top level with null. */
  children(id: string | null): EntityView[]
  entityCount(): number
  settings(): WorldSettings
  /** The newest chat lines (200 at most), in converged order. */
  chat(): ChatMessage[]
  /** The document's state as JSON (scene, chat, settings): for tests and comparing replicas. */
  toJSON(): unknown
}

/** A read-only view of a replica. */
export function worldView(world: { id: string; name: string; rules: BasisRules }, replica: WorldReplica): WorldView {
  // replica.world() for each read: it brings the document up to date with what was accepted since.
  return {
    id: world.id,
    name: world.name,
    rules: world.rules,
    version: () => currentVersion(replica.world().doc),
    entities: () => replica.world().entities(),
    entity: (id) => replica.world().entity(id),
    children: (id) => replica.world().children(id),
    entityCount: () => replica.world().entities().length,
    settings: () => replica.world().settings(),
    chat: () => replica.world().chatMessages(),
    toJSON: () => replica.world().doc.toJSON() as unknown
  }
}
