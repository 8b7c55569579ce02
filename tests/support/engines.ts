/**
 * Engines of a test's own, for tests that stop, restart or hang them: a PostgreSQL (initdb into a
 * temp directory) and a redis-server, each on a free port, each stopped by the PID the test holds.
 * Never the shared engines on 5432/6379.
 *
 * initdb and postgres refuse to run as root, and the tests do run as root here: Postgres runs as
 * an unprivileged user (`banner-test` by default, TEST_ENGINE_USER), created when missing.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { freePort } from "./redis";

const ENGINE_USER = process.env.TEST_ENGINE_USER ?? "banner-test";

function postgresBin(name: string): string {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const candidate = path.join(root, v, "bin", name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return name; // on the PATH
}

/** uid/gid to run Postgres as: ours when not root, else the unprivileged engine user. */
function engineIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync("id", ["-u", ENGINE_USER]).toString().trim()),
    gid: Number(execFileSync("id", ["-g", ENGINE_USER]).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ENGINE_USER]);
    return lookup();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

export interface PrivatePostgres {
  port: number;
  /** postgres://…/postgres on this server */
  adminUrl: string;
  /** The URL of a database on this server (not created by this call). */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  pid(): number | undefined;
  /** Like `pg_ctl restart -m fast`: every session is terminated (57P01), then it starts again. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const ids = engineIds();
  const dir = mkdtempSync(path.join(tmpdir(), "banner-pg-"));
  const data = path.join(dir, "data");
  if (ids) chownSync(dir, ids.uid, ids.gid);
  chmodSync(dir, 0o700);
  execFileSync(postgresBin("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], {
    ...ids,
    stdio: "ignore",
  });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = "";
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const start = async () => {
    child = spawn(
      postgresBin("postgres"),
      ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"],
      { ...ids, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout!.on("data", (d) => (log = (log + d).slice(-20_000)));
    child.stderr!.on("data", (d) => (log = (log + d).slice(-20_000)));
    const me = child;
    await waitFor(
      `postgres on ${port}`,
      async () => {
        if (me.exitCode !== null) throw new Error(`postgres exited: ${log}`);
        const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
        c.on("error", () => undefined);
        try {
          await c.connect();
          await c.query("SELECT 1");
          return true;
        } finally {
          await c.end().catch(() => undefined);
        }
      },
      30_000,
    );
  };
  const stop = async (mode: "fast" | "immediate" = "fast") => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    // The postmaster's own signals: SIGINT is a fast shutdown, SIGQUIT an immediate one.
    child.kill(mode === "fast" ? "SIGINT" : "SIGQUIT");
    await done;
  };
  await start();

  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    adminUrl,
    urlFor,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
      return urlFor(name);
    },
    pid: () => child?.pid,
    async restart({ downMs = 0 } = {}) {
      await stop("fast");
      if (downMs) await sleep(downMs);
      await start();
    },
    stop,
    start,
    async destroy() {
      await stop("immediate");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedisServer {
  port: number;
  url: string;
  pid(): number | undefined;
  /** Stops it (SIGKILL: no persistence is configured, so it comes back empty) and starts it again. */
  restartEmpty(opts?: { downMs?: number }): Promise<void>;
  /** Makes every client's commands wait (CLIENT PAUSE), as a hung Redis would. */
  pause(ms: number): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedisServer(): Promise<PrivateRedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"], {
      stdio: "ignore",
    });
    const me = child;
    await waitFor(
      `redis-server on ${port}`,
      async () => {
        if (me.exitCode !== null) throw new Error("redis-server exited");
        const probe = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
        probe.on("error", () => undefined);
        try {
          await probe.connect();
          return (await probe.ping()) === "PONG";
        } finally {
          probe.disconnect();
        }
      },
      10_000,
    );
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    child.kill("SIGKILL");
    await done;
  };
  await start();
  return {
    port,
    url,
    pid: () => child?.pid,
    async restartEmpty({ downMs = 0 } = {}) {
      await stop();
      if (downMs) await sleep(downMs);
      await start();
    },
    async pause(ms) {
      const admin = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await admin.call("CLIENT", "PAUSE", String(ms), "ALL");
      } finally {
        admin.disconnect();
      }
    },
    stop,
    start,
  };
}
