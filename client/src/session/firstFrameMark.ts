/** Performance mark set when a page's first world frame is drawn (read by `npm run bench`). */
export const FIRST_FRAME_MARK = 'peercompute:first-frame'

/**
 * Performance mark set after the first frame drawn with the whole scene ready (every material's
 * shaders loaded and compiled): the first frame may still lack meshes whose shaders were loading.
 */
export const WORLD_VISIBLE_MARK = 'peercompute:world-visible'
