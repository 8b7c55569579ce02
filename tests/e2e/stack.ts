/**
 * What an end-to-end file runs against: a database of its own (migrated, optionally holding the
 * demo campaign), a Redis prefix of its own, the built web server, Chromium, and, for the files
 * that follow emails, a real SMTP server and the worker. `e2eStack()` registers the vitest hooks
 * that start it all before the file's tests and take it down after; read its parts in tests and
 * in the file's own hooks (they run after these).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { startWeb, type RunningProcess } from "../support/web";
import { startTestWorker } from "../support/worker";
import { launchChromium } from "./browser";

export interface E2eStackOptions {
  /** names the database and the Redis prefix */
  label: string;
  /** seed the demo campaign first (the seed runs only on an empty database) */
  demoCampaign?: boolean;
  /** start an SMTP server and the worker, and point the web server at them */
  mail?: boolean;
  /** more environment for the web server */
  webEnv?: Record<string, string>;
}

export interface E2eStack {
  readonly database: TestDatabase;
  readonly web: RunningProcess;
  readonly browser: Browser;
  /** only with `mail: true` */
  readonly smtp: TestSmtpServer;
  /** only with `mail: true` */
  readonly worker: RunningWorker;
  readonly redisPrefix: string;
  /** A page in a fresh context (en-GB unless told otherwise), closed with the stack. */
  newPage(options?: Parameters<Browser["newContext"]>[0]): Promise<Page>;
  /** A fresh context (en-GB unless told otherwise), closed with the stack. */
  newContext(options?: Parameters<Browser["newContext"]>[0]): Promise<BrowserContext>;
}

export function e2eStack(options: E2eStackOptions): E2eStack {
  const redisPrefix = uniquePrefix(options.label);
  const contexts: BrowserContext[] = [];
  const parts: { -readonly [K in "database" | "web" | "browser" | "smtp" | "worker"]?: E2eStack[K] } = {};
  const need = <K extends keyof typeof parts>(name: K): NonNullable<(typeof parts)[K]> => {
    const part = parts[name];
    if (!part) throw new Error(`the e2e stack has no ${name}${name === "smtp" || name === "worker" ? " (mail: true starts it)" : " yet (read it in a test or hook)"}`);
    return part as NonNullable<(typeof parts)[K]>;
  };

  beforeAll(async () => {
    const database = (parts.database = await createTestDatabase(options.label));
    if (options.demoCampaign) await seedDemoCampaign(database.db);
    const smtp = options.mail ? (parts.smtp = await startSmtpServer()) : undefined;
    const [web, browser] = await Promise.all([
      startWeb({
        DATABASE_URL: database.url,
        REDIS_URL: SHARED_REDIS_URL,
        REDIS_PREFIX: redisPrefix,
        ...(smtp ? { SMTP_URL: smtp.url } : {}),
        ...options.webEnv,
      }),
      launchChromium(),
    ]);
    parts.web = web;
    parts.browser = browser;
    if (smtp) parts.worker = await startTestWorker({ databaseUrl: database.url, redisPrefix, smtpUrl: smtp.url, appUrl: web.url, foldEveryMs: 300 });
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await parts.browser?.close().catch(() => undefined);
    await parts.worker?.stop().catch(() => undefined);
    await parts.web?.stop().catch(() => undefined);
    await parts.smtp?.close().catch(() => undefined);
    await parts.database?.drop().catch(() => undefined);
    await deletePrefix(redisPrefix).catch(() => undefined);
  });

  const newContext = async (contextOptions: Parameters<Browser["newContext"]>[0] = {}) => {
    const context = await need("browser").newContext({ locale: "en-GB", ...contextOptions });
    contexts.push(context);
    return context;
  };

  return {
    get database() {
      return need("database");
    },
    get web() {
      return need("web");
    },
    get browser() {
      return need("browser");
    },
    get smtp() {
      return need("smtp");
    },
    get worker() {
      return need("worker");
    },
    redisPrefix,
    newContext,
    newPage: async (contextOptions) => (await newContext(contextOptions)).newPage(),
  };
}
