/**
 * The session secret of every integration test process and of the web servers they start (the
 * shared one included), so a test can sign session cookies and form stamps itself. Its own
 * module, free of app imports, because vitest.config.ts reads it too.
 */
export const TEST_SESSION_SECRET = "test-session-secret-of-at-least-32-chars";
