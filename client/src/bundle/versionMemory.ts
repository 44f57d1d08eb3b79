/**
 * The newest version of each world this browser has run, kept across reloads, so an older
 * (replayed) bundle is refused even when it is validly signed (TUF's rollback attack).
 */
export interface VersionMemory {
  /** The newest version of `worldId` run here before, or `null` when none. */
  lastRun(worldId: string): Promise<string | null>
  /** Records that `version` of `worldId` is about to run (the caller keeps only increases). */
  remember(worldId: string, version: string): Promise<void>
}

const DB_NAME = 'peercompute'
const DB_VERSION = 1
const STORE = 'worldVersions'
// What remember() writes; anything else in the store (a corrupt or foreign value) reads as none.
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/

/**
 * A {@link VersionMemory} in IndexedDB (database `peercompute`, store `worldVersions`, keyed by
 * world id). The database opens at once, so the first read costs nothing on the boot's critical
 * path. When IndexedDB cannot open (some private modes, storage disabled by policy) the memory
 * lasts for this page only and a warning says so.
 */
export function indexedDbVersionMemory(factory: IDBFactory | undefined = globalThis.indexedDB): VersionMemory {
  const opening = openDatabase(factory)
  const fallback = inMemoryVersionMemory()
  opening.catch((err: unknown) => {
    console.warn(`[peercompute] IndexedDB is unavailable (${err instanceof Error ? err.message : String(err)}); world versions are remembered for this page only.`)
  })
  return {
    lastRun: async (worldId) => {
      const db = await opening.catch(() => null)
      if (db === null) return fallback.lastRun(worldId)
      const value = await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(worldId))
      return typeof value === 'string' && SEMVER.test(value) ? value : null
    },
    remember: async (worldId, version) => {
      const db = await opening.catch(() => null)
      if (db === null) return fallback.remember(worldId, version)
      const tx = db.transaction(STORE, 'readwrite')
      tx.objectStore(STORE).put(version, worldId)
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'))
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'))
      })
    },
  }
}

/** A {@link VersionMemory} that lasts as long as the object (no IndexedDB; also what tests use). */
export function inMemoryVersionMemory(): VersionMemory {
  const versions = new Map<string, string>()
  return {
    lastRun: async (worldId) => versions.get(worldId) ?? null,
    remember: async (worldId, version) => {
      versions.set(worldId, version)
    },
  }
}

function openDatabase(factory: IDBFactory | undefined): Promise<IDBDatabase> {
  if (factory === undefined) return Promise.reject(new Error('this browser has no IndexedDB'))
  return new Promise((resolve, reject) => {
    let open: IDBOpenDBRequest
    try {
      open = factory.open(DB_NAME, DB_VERSION)
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)))
      return
    }
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE)
    }
    open.onsuccess = () => resolve(open.result)
    open.onerror = () => reject(open.error ?? new Error('IndexedDB open failed'))
    open.onblocked = () => reject(new Error('another tab holds an older version of the database open'))
  })
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB read failed'))
  })
}
