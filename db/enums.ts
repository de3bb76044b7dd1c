/** Values both dialects' schemas check, and the API's enums are built from. */
export const POST_STATUSES = ['draft', 'published'] as const;
export const COMMENT_STATUSES = ['pending', 'approved', 'spam'] as const;
/** The logo, the browser-tab icon (32 px) and the home-screen icon (180 px). */
export const SITE_ASSETS = ['logo', 'favicon', 'icon'] as const;
export type SiteAssetName = (typeof SITE_ASSETS)[number];
/** The largest id a row can have: ids are 32-bit integers (PostgreSQL's `integer`). A larger one names nothing. */
export const MAX_ID = 2_147_483_647;
export type PostStatus = (typeof POST_STATUSES)[number];
export type CommentStatus = (typeof COMMENT_STATUSES)[number];
