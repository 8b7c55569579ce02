/**
 * What an integration file runs against, set up before its tests and taken down after.
 *
 * - `web: true` alone: the run's shared web server and database (tests/support/shared-web.ts,
 *   started once by the integration project's globalSetup). The file keeps apart from the
 *   others by its own rows, and its Redis prefix is the shared server's.
 * - otherwise (no web, web with an environment of its own, or mail): a database of its own (a
 *   copy of the migrated template), a Redis prefix of its own, and, when asked, a web server of
 *   its own and an SMTP server with the worker.
 *
 * The integration counterpart of tests/e2e/stack.ts; read its parts in tests and in the file's
 * own hooks (they run after these).
 */
import { afterAll, beforeAll, inject } from "vitest";
import type { RunningWorker } from "../../workers/worker";
import { connectTestDatabase, createTestDatabase, type TestDatabase } from "./db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "./redis";
import { sharedWebOutput } from "./shared-web";
import { startSmtpServer, type TestSmtpServer } from "./smtp";
import { startWeb, type RunningProcess } from "./web";
import { startTestWorker } from "./worker";

/** What a test may do with a web server it may be sharing: talk to it and read its output. */
export type WebServer = Pick<RunningProcess, "url" | "port" | "output">;

export interface IntegrationStackOptions {
  /** names the database and the Redis prefix */
  label: string;
  /**
   * `true`: the run's shared web server (with SESSION_SECRET = TEST_SESSION_SECRET) and its
   * database; an object: a web server of this file's own, with this added to its environment
   */
  web?: boolean | Record<string, string>;
  /** start an SMTP server and the worker (pointed at the web server when there is one) */
  mail?: boolean;
}

export interface IntegrationStack {
  readonly database: TestDatabase;
  readonly web: WebServer;
  /** true when the web server and database are the run's shared ones */
  readonly shared: boolean;
  readonly smtp: TestSmtpServer;
  readonly worker: RunningWorker;
  readonly redisPrefix: string;
}

export function integrationStack(options: IntegrationStackOptions): IntegrationStack {
  // With mail the worker needs the web server's outbox and Redis prefix to itself: its relay and
  // sweeps would otherwise pick up every other file's jobs.
  const shared = options.web === true && !options.mail ? inject("sharedWeb") : undefined;
  if (shared) return sharedStack(shared);
  const redisPrefix = uniquePrefix(options.label);
  const parts: { -readonly [K in "database" | "smtp" | "worker"]?: IntegrationStack[K] } & { web?: RunningProcess } = {};
  const need = <K extends keyof typeof parts>(name: K): NonNullable<(typeof parts)[K]> => {
    const part = parts[name];
    if (!part) throw new Error(`the integration stack has no ${name} (ask for it in integrationStack({ … }), and read it in a test or hook)`);
    return part as NonNullable<(typeof parts)[K]>;
  };

  beforeAll(async () => {
    const database = (parts.database = await createTestDatabase(options.label));
    const smtp = options.mail ? (parts.smtp = await startSmtpServer()) : undefined;
    if (options.web) {
      parts.web = await startWeb({
        DATABASE_URL: database.url,
        REDIS_URL: SHARED_REDIS_URL,
        REDIS_PREFIX: redisPrefix,
        ...(smtp ? { SMTP_URL: smtp.url } : {}),
        ...(typeof options.web === "object" ? options.web : {}),
      });
    }
    if (smtp) parts.worker = await startTestWorker({ databaseUrl: database.url, redisPrefix, smtpUrl: smtp.url, ...(parts.web ? { appUrl: parts.web.url } : {}) });
  });

  afterAll(async () => {
    await parts.worker?.stop().catch(() => undefined);
    await parts.web?.stop().catch(() => undefined);
    await parts.smtp?.close().catch(() => undefined);
    await parts.database?.drop().catch(() => undefined);
    await deletePrefix(redisPrefix).catch(() => undefined);
  });

  return {
    get database() {
      return need("database");
    },
    get web() {
      return need("web");
    },
    get smtp() {
      return need("smtp");
    },
    get worker() {
      return need("worker");
    },
    redisPrefix,
    shared: false,
  };
}

function sharedStack(context: NonNullable<ReturnType<typeof inject<"sharedWeb">>>): IntegrationStack {
  let database: TestDatabase | undefined;
  beforeAll(() => {
    database = connectTestDatabase(context.databaseName, context.databaseUrl);
  });
  afterAll(async () => {
    await database?.drop();
  });
  const web: WebServer = { url: context.webUrl, port: context.webPort, output: () => sharedWebOutput(context) };
  const none = (name: string): never => {
    throw new Error(`the shared integration stack has no ${name} (ask for mail: true, which gives the file a stack of its own)`);
  };
  return {
    get database() {
      if (!database) throw new Error("the shared database is open from beforeAll on (read it in a test or hook)");
      return database;
    },
    web,
    get smtp() {
      return none("smtp");
    },
    get worker() {
      return none("worker");
    },
    redisPrefix: context.redisPrefix,
    shared: true,
  };
}
