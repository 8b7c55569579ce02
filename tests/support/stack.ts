/**
 * What an integration file runs against, started once before its tests and taken down after:
 * a database of its own (a copy of the migrated template), a Redis prefix of its own, and, when
 * asked, the built web server and an SMTP server with the worker. The integration counterpart of
 * tests/e2e/stack.ts; read its parts in tests and in the file's own hooks (they run after these).
 */
import { afterAll, beforeAll } from "vitest";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "./db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "./redis";
import { startSmtpServer, type TestSmtpServer } from "./smtp";
import { startWeb, type RunningProcess } from "./web";
import { startTestWorker } from "./worker";

export interface IntegrationStackOptions {
  /** names the database and the Redis prefix */
  label: string;
  /** start the web server; an object adds to its environment */
  web?: boolean | Record<string, string>;
  /** start an SMTP server and the worker (pointed at the web server when there is one) */
  mail?: boolean;
}

export interface IntegrationStack {
  readonly database: TestDatabase;
  readonly web: RunningProcess;
  readonly smtp: TestSmtpServer;
  readonly worker: RunningWorker;
  readonly redisPrefix: string;
}

export function integrationStack(options: IntegrationStackOptions): IntegrationStack {
  const redisPrefix = uniquePrefix(options.label);
  const parts: { -readonly [K in "database" | "web" | "smtp" | "worker"]?: IntegrationStack[K] } = {};
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
  };
}
