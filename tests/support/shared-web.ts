/**
 * vitest globalSetup of the integration project: one database (a copy of the migrated template)
 * and one built web server for the whole run, which every integration file that asks for a plain
 * web server (`integrationStack({ web: true })`) shares. Starting the server is the slow part of
 * an integration file (a Node process loading the whole app, tens of seconds when the machine is
 * busy); a file keeps apart from the others by its own rows (its own campaigns, users,
 * organisations), not by a database of its own.
 *
 * The server's output goes to a log file, so a test (in another process) can still read it.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createTestDatabase } from "./db";
import { TEST_SESSION_SECRET } from "./organisers";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "./redis";
import { startWeb } from "./web";

export interface SharedWebContext {
  databaseName: string;
  databaseUrl: string;
  webUrl: string;
  webPort: number;
  redisPrefix: string;
  logFile: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** undefined outside the integration project (its globalSetup provides it) */
    sharedWeb: SharedWebContext | undefined;
  }
}

/** What the shared server runs with; a file that needs anything else starts a server of its own. */
export const SHARED_WEB_ENV = { SESSION_SECRET: TEST_SESSION_SECRET };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redisPrefix = uniquePrefix("shared");
  const database = await createTestDatabase("shared");
  let web;
  try {
    web = await startWeb({ DATABASE_URL: database.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: redisPrefix, ...SHARED_WEB_ENV });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const logFile = path.join(tmpdir(), `banner-shared-web-${web.port}-${process.pid}.log`);
  const fd = openSync(logFile, "w");
  writeSync(fd, web.output());
  const append = (chunk: Buffer) => writeSync(fd, chunk);
  web.child.stdout!.on("data", append);
  web.child.stderr!.on("data", append);
  project.provide("sharedWeb", { databaseName: database.name, databaseUrl: database.url, webUrl: web.url, webPort: web.port, redisPrefix, logFile });

  return async () => {
    await web.stop().catch(() => undefined);
    closeSync(fd);
    rmSync(logFile, { force: true });
    await database.drop().catch(() => undefined);
    await deletePrefix(redisPrefix).catch(() => undefined);
  };
}

/** The shared server's output so far. */
export function sharedWebOutput(context: SharedWebContext): string {
  try {
    return readFileSync(context.logFile, "utf8");
  } catch {
    return "";
  }
}
