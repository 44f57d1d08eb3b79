import { LoroDoc } from 'loro-crdt'
import { chatEntrySchema } from './stateSchemas.js'
import { WORLD_CONTAINERS, parseComponent, parseSetting, settingSchemas } from './worldSchema.js'
import type { componentSchemas } from './worldSchema.js'
import type { EntityData, EntityView, PlacePropInit, SettingKey, Transform, WorldSettings } from './worldSchema.js'
import type { ChatMessage } from '../KernelEvents.js'
import type { LoroTree, LoroTreeNode, TreeID } from 'loro-crdt'

/** Thrown by a write that names an entity the world does not hold. */
export class UnknownEntityError extends Error {
  override name = 'UnknownEntityError'
}

/** Thrown by a write whose value breaks the world schema; the message names the field. */
export class InvalidComponentError extends Error {
  override name = 'InvalidComponentError'
}

const IDENTITY_ROTATION: [number, number, number, number] = [0, 0, 0, 1]

/**
 * One world's durable state in one Loro document: the scene graph (tree) with each entity's
 * components in its node's data map, the chat list and the settings map. Reads return plain
 * values; writes commit and return the Loro update they made (the StateManager is the only caller).
 */
export class WorldDoc {
  readonly doc: LoroDoc

  constructor(doc = new LoroDoc()) {
    this.doc = doc
    doc.setRecordTimestamp(true)
  }

  private get tree(): LoroTree { return this.doc.getTree(WORLD_CONTAINERS.scene) }

  /** Every entity of the scene, parents before children. Costs O(entities): read `entity(id)` when you can. */
  entities(): EntityView[] {
    return this.tree.nodes().filter((n) => !n.isDeleted()).map((n) => this.view(n))
  }

  /** One entity, or null when it does not exist (or was removed). */
  entity(id: string): EntityView | null {
    const node = this.node(id)
    return node == null ? null : this.view(node)
  }

  /** The children of `id` (or the top level with null), in scene order. */
  children(id: string | null): EntityView[] {
    const nodes = id == null ? this.tree.roots() : this.node(id)?.children() ?? []
    return nodes.map((n) => this.view(n))
  }

  settings(): WorldSettings {
    const out: Record<string, unknown> = {}
    const map = this.doc.getMap(WORLD_CONTAINERS.settings)
    for (const key of Object.keys(settingSchemas)) {
      const value = parseSetting(key, map.get(key))
      if (value != null) out[key] = value
    }
    return out as WorldSettings
  }

  /** The newest `limit` chat lines, in the order every node converges to. */
  chatMessages(limit = 200): ChatMessage[] {
    const list = this.doc.getList(WORLD_CONTAINERS.chat)
    const start = Math.max(0, list.length - limit)
    const out: ChatMessage[] = []
    for (let i = start; i < list.length; i++) {
      const parsed = chatEntrySchema.safeParse(list.get(i))
      if (parsed.success) out.push(parsed.data)
    }
    return out
  }

  /** Adds a prop to the scene; returns its entity id and the update. */
  placeProp(init: PlacePropInit, owner: string): { id: string; update: Uint8Array } {
    const transform = checked('transform', { position: init.position, rotation: init.rotation ?? IDENTITY_ROTATION, scale: init.scale ?? [1, 1, 1] })
    const prop = checked('prop', init.prop)
    const parent = init.parent == null ? undefined : this.requireNode(init.parent).id
    return this.write('placeProp', () => {
      const node = this.tree.createNode(parent)
      node.data.set('transform', transform)
      node.data.set('prop', prop)
      node.data.set('owner', checked('owner', owner))
      if (init.name != null) node.data.set('name', checked('name', init.name))
      return node.id
    })
  }

  /** Moves an entity (a new transform; position, rotation and scale replace the old ones). */
  moveProp(id: string, transform: Partial<Transform>): Uint8Array {
    const node = this.requireNode(id)
    const current = parseComponent('transform', node.data.get('transform')) as Transform | null
    const next = checked('transform', { position: [0, 0, 0], rotation: IDENTITY_ROTATION, scale: [1, 1, 1], ...current, ...transform })
    return this.write('moveProp', () => { node.data.set('transform', next) }).update
  }

  /** Replaces the script data of an entity. */
  setEntityData(id: string, data: EntityData): Uint8Array {
    const node = this.requireNode(id)
    const next = checked('data', data)
    return this.write('setEntityData', () => { node.data.set('data', next) }).update
  }

  /** Re-parents an entity in the scene graph (null: top level). */
  reparent(id: string, parent: string | null): Uint8Array {
    const target = this.requireNode(id).id
    const parentId = parent == null ? undefined : this.requireNode(parent).id
    return this.write('reparent', () => { this.tree.move(target, parentId) }).update
  }

  /** Removes an entity and its children. */
  removeProp(id: string): Uint8Array {
    const target = this.requireNode(id).id
    return this.write('removeProp', () => { this.tree.delete(target) }).update
  }

  appendChat(message: ChatMessage): Uint8Array {
    return this.write('chat', () => { this.doc.getList(WORLD_CONTAINERS.chat).push(message) }).update
  }

  setSetting<K extends SettingKey>(key: K, value: NonNullable<WorldSettings[K]>): Uint8Array {
    if (parseSetting(key, value) == null) throw new InvalidComponentError(`Setting "${key}" has a value its schema refuses; see worldSchema.ts.`)
    return this.write('setSetting', () => { this.doc.getMap(WORLD_CONTAINERS.settings).set(key, value) }).update
  }

  private write<T>(intent: string, change: () => T): { id: T; update: Uint8Array } {
    const before = this.doc.oplogVersion()
    const id = change()
    // The intent as commit message: history shows what each version did, and Loro keeps changes
    // with messages apart when importing (it would merge one author's consecutive changes otherwise).
    this.doc.commit({ message: intent })
    return { id, update: this.doc.export({ mode: 'update', from: before }) }
  }

  private node(id: string): LoroTreeNode | undefined {
    if (!/^\d+@\d+$/.test(id)) return undefined
    const tree = this.tree
    const target = id as TreeID
    if (!tree.has(target) || tree.isNodeDeleted(target)) return undefined
    return tree.getNodeByID(target)
  }

  private requireNode(id: string): LoroTreeNode {
    const node = this.node(id)
    if (node == null) throw new UnknownEntityError(`No entity "${id}" in this world; it may have been removed. Read kernel.state.world().entities() for the current ones.`)
    return node
  }

  private view(node: LoroTreeNode): EntityView {
    const data = node.data
    const get = (key: keyof typeof componentSchemas) => parseComponent(key, data.get(key))
    const parent = node.parent()
    return {
      id: node.id,
      parent: parent == null ? null : parent.id,
      name: get('name') as string | null,
      owner: get('owner') as string | null,
      transform: get('transform') as EntityView['transform'],
      prop: get('prop') as EntityView['prop'],
      data: get('data') as EntityView['data']
    }
  }
}

function checked(key: keyof typeof componentSchemas, value: unknown): never {
  const parsed = parseComponent(key, value)
  if (parsed == null) throw new InvalidComponentError(`The ${key} of this entity is not valid (see componentSchemas in worldSchema.ts); fix the value and try again.`)
  return parsed as never
}
