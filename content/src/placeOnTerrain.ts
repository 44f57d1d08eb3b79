// Moved to @peercompute/world-sdk, where `peercompute build` uses it too.
export { PLACEMENT_CLEARANCE, placeOnTerrain } from '@peercompute/world-sdk'
