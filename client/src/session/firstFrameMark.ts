/** Performance mark set when a page's first world frame is drawn (read by `npm run bench`). */
export const FIRST_FRAME_MARK = 'peercompute:first-frame'
