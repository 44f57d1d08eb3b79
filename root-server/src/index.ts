/**
 * @peercompute/root-server — the root node: HTTPS (the client, the well-known document, signed
 * bundles and blobs), the root's libp2p node, and the data folder that keeps its keys.
 * @packageDocumentation
 */
export { startRoot } from './startRoot.js'
export type { RootServer, RootServerInit } from './startRoot.js'
export type { IceServer, WellKnown } from './wellKnown.js'
export type { Health } from './http/rootRequestHandler.js'
export { SECURITY_HEADERS, CONTENT_SECURITY_POLICY } from './http/securityHeaders.js'
export { DataDirError } from './dataDir/errors.js'
export { ContentBundleError } from './bundles/publishContentBundle.js'
export { RootP2pError } from './p2p/rootP2pNode.js'
export { filePersistence, readWorldState, NoWorldStateError, WorldIdError } from './persistence/index.js'
export type { FilePersistence, FilePersistenceInit, CompactionPolicy, WorldStateReport } from './persistence/index.js'
