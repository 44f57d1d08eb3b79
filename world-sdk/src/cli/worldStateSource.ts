/** One stored version of a world, as `peercompute state history` prints it (the kernel's WorldVersion). */
export interface StoredVersion {
  version: string
  lamport: number
  time: number
  peer: string
  ops: number
  /** Kept as read, so `--json` prints every field the root has. */
  [field: string]: unknown
}

/** An entity as `peercompute state show` prints it (the kernel's EntityView, other fields kept as read). */
export interface StoredEntity {
  id: string
  parent: string | null
  name: string | null
  owner: string | null
  transform: { position: unknown; [field: string]: unknown } | null
  prop: { shape: string; [field: string]: unknown } | null
  [field: string]: unknown
}

/** A chat line as `peercompute state show` prints it. */
export interface StoredChatLine {
  name: string
  time: number
  text: string
  [field: string]: unknown
}

/** A world at one version (the kernel's WorldStateAt). */
export interface StoredState {
  version: string
  entities: StoredEntity[]
  chat: StoredChatLine[]
  settings: Record<string, unknown>
}

/** What was found wrong with the stored files while reading them; the command prints it as notes. */
export interface StorageNotes {
  /** Bytes of a torn log tail (a crash, or a write in progress), ignored. */
  tornBytes: number
  /** The snapshot failed its checksum and was ignored. */
  badSnapshot: boolean
}

/** Where `peercompute state` reads a world's stored state from: a root's data folder or a running root. */
export interface WorldStateSource {
  history(world: string): Promise<StorageNotes & { versions: StoredVersion[] }>
  /** The world at `version` (as history prints it), or now when omitted. */
  stateAt(world: string, version: string | undefined): Promise<StorageNotes & { state: StoredState }>
}
