/**
 * Framing rules shared by the Express entry (server/index.ts) and the widget's routes. Kept apart
 * from embed-policy.server.ts, which imports Vite-only asset URLs the plain server cannot load.
 */

/** Every page but the widget: no site may frame it (clickjacking). */
export const FRAME_DENY_POLICY = "frame-ancestors 'none'";

/** Paths under this prefix are the widget: their routes send their own frame-ancestors list. */
export const EMBED_PATH_PREFIX = "/embed/";
