import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { TEST_SESSION_SECRET } from "./tests/support/session-secret";

const alias = { "~": fileURLToPath(new URL("./app", import.meta.url)) };

export default defineConfig({
  resolve: { alias },
  test: {
    env: { NODE_ENV: "test" },
    // vitest's default on a 2-core machine is one worker, so every file ran after the other while
    // most of them wait on a child web server, Postgres or Redis. Three files at a time keep both
    // cores busy; the e2e and fault projects still run one file at a time (fileParallelism),
    // after the others. `npm test` (scripts/test.ts) runs those two projects in vitest processes
    // of their own after the rest, side by side, so they do not also wait for each other.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || 3,
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node", isolate: false },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          // A worker process runs file after file with the modules it has already imported,
          // rather than a new process importing the app again for each file: the unit,
          // integration and security files took 260 s of CPU that way here, 179 s this way
          // (184 s and 153 s alone). Sound because the test files keep their state in their own
          // databases, Redis prefixes and servers, never in module state: none sets
          // process.env, mocks a module or fakes timers (eslint.config.js refuses it), and the
          // app's module-level singletons are keyed by what they connect to
          // (app/db/grouped.server.ts). Every project runs this way.
          isolate: false,
          // The shared web server's secret: cookies a test signs with the app's own session code
          // (commitSessionCookie) are then good on it, and on every server a file starts itself.
          env: { NODE_ENV: "test", SESSION_SECRET: TEST_SESSION_SECRET },
          // One web server and database for the whole run, shared by the files that need nothing
          // else (integrationStack({ web: true })).
          globalSetup: ["tests/support/shared-web.ts"],
          testTimeout: 30_000,
          // A web server's start-up (startWeb waits up to 75 s) on a machine that runs several
          // files, or other work, at once.
          hookTimeout: 90_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // One browser at a time on a 2-core machine. Run in the pool three at a time beside the
          // integration files, axe-heavy files timed out (dashboard-a11y past 120 s) on a machine
          // loaded by other work; vitest then runs this project after all the others.
          fileParallelism: false,
          isolate: false, // as the integration files
          // A file's concurrent tests (the axe pages of a11y.test.ts), two at a time: a page each,
          // one renderer process each, both cores.
          maxConcurrency: 2,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "security",
          include: ["tests/security/**/*.test.ts"],
          environment: "node",
          isolate: false, // as the integration files
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Fault and topology tests start engines of their own (Postgres, Redis, PgBouncer,
          // nginx) on free ports; one file at a time keeps a 2-core machine responsive.
          name: "faults",
          include: ["tests/faults/**/*.test.ts", "tests/topology/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          isolate: false, // as the integration files
        },
      },
    ],
  },
});
