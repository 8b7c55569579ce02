/** Limits of a campaign's hero picture, shared by the upload form and the server. */
export const HERO_MAX_BYTES = 5 * 1024 * 1024;
export const HERO_WIDTHS = [480, 960, 1600] as const;
export const HERO_ALT_MAX = 300;
