/**
 * `npm start` as a newcomer runs it (scripts/start.ts): one line per step and the URL last, the
 * compiled web server and worker under a supervisor that brings a crashed one back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_ADMIN_URL } from "../support/db";
import { deletePrefix, freePort, uniquePrefix } from "../support/redis";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dbName = `banner_test_start_${Math.random().toString(36).slice(2, 10)}`;
const prefix = uniquePrefix("start");
let start: ChildProcess;
let out = "";
let logDir: string;
let url: string;

const waitFor = async (what: string, test: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s; npm start said:\n${out}`);
    if (start.exitCode !== null) throw new Error(`npm start exited with ${start.exitCode} before ${what}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** The supervisor's children, by what they run ("web" or "worker"), from /proc. */
async function child(role: "web" | "worker"): Promise<number | undefined> {
  const ids = (await readFile(`/proc/${start.pid}/task/${start.pid}/children`, "utf8")).trim().split(/\s+/).filter(Boolean).map(Number);
  for (const id of ids) {
    const cmd = await readFile(`/proc/${id}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes(`build/${role}.js`)) return id;
  }
  return undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), "banner-start-"));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const database = new URL(PG_ADMIN_URL);
  database.pathname = `/${dbName}`;
  start = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", PORT: String(port), APP_URL: url, DATABASE_URL: database.toString(), REDIS_PREFIX: prefix, LOG_DIR: logDir, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  start.stdout!.on("data", (d) => (out += d));
  start.stderr!.on("data", (d) => (out += d));
  // A stale build is rebuilt first (npm test builds before it runs, so normally it is not).
  await waitFor("the URL line", () => out.includes("Banner is running at"), 150_000);
}, 180_000);

afterAll(async () => {
  if (start && start.exitCode === null) {
    const exited = new Promise((r) => start.once("exit", r));
    start.kill("SIGTERM");
    await exited;
  }
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
  await deletePrefix(prefix);
  await rm(logDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("shows one short line per step and the URL last; logs go to files", async () => {
    const lines = out.split("\n").filter((l) => l.trim());
    expect(lines.at(-1)).toBe(`  Banner is running at ${url}`);
    for (const stepName of ["build", "database", "migrations", "seed", "processes"]) expect(out).toMatch(new RegExp(`✓ ${stepName}\\b`));
    expect(out).toContain("(created)");
    expect(out).toMatch(/✓ migrations\s+\d+ applied/);
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.every((l) => l.length <= 100), out).toBe(true);
    expect(out).not.toMatch(/^\s*\{/m); // no JSON log lines on the terminal
    expect(await readFile(path.join(logDir, "web.log"), "utf8")).toMatch(/"msg":"web listening"/);
    expect((await fetch(`${url}/healthz`)).ok).toBe(true);
  });

  it("runs the compiled web server and worker, and brings a worker killed with SIGKILL back", async () => {
    const [web, worker] = [await child("web"), await child("worker")];
    expect(web, "no node build/web.js child").toBeTypeOf("number");
    expect(worker, "no node build/worker.js child").toBeTypeOf("number");
    process.kill(worker!, "SIGKILL");
    await waitFor("the worker's restart", async () => {
      const now = await child("worker");
      return now !== undefined && now !== worker && out.includes(`worker restarted (pid ${now})`);
    });
    expect(out).toMatch(/worker exited \(SIGKILL\); restarting it in 1 s/);
    expect(alive(web!), "the web server should not have been touched").toBe(true);
    expect((await fetch(`${url}/healthz`)).ok).toBe(true);
    // The new worker is consuming: its log says it started.
    await waitFor("the new worker's start-up log line", async () => ((await readFile(path.join(logDir, "worker.log"), "utf8")).match(/"msg":"worker started"/g) ?? []).length >= 2, 30_000);
  });

  it("stops both children and exits on SIGTERM", async () => {
    const [web, worker] = [await child("web"), await child("worker")];
    const exited = new Promise<number | null>((r) => start.once("exit", (code) => r(code)));
    start.kill("SIGTERM");
    expect(await exited).toBe(0);
    // They are reaped before the supervisor exits, so they are gone by now.
    expect([alive(web!), alive(worker!)]).toEqual([false, false]);
  });
});
