import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { buildIsStale } from "../../scripts/processes";
import { freePort } from "./redis";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface RunningProcess {
  url: string;
  port: number;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  child: ChildProcess;
}

/**
 * Tests of other features sign from one address many times a minute, faster than any person
 * types, and press one confirm button many times at once: they get generous limits and no
 * minimum fill time. tests/integration/fraud-*.test.ts
 * pass their own values.
 */
const LENIENT_FRAUD_DEFENCES = {
  SIGN_RATE_PER_IP: "10000/1m",
  SIGN_RATE_PER_DOMAIN: "10000/1m",
  VERIFY_RATE_PER_TOKEN: "10000/1m",
  SIGN_MIN_FILL_SECONDS: "0",
};

let compiledIsFresh: boolean | undefined;

/**
 * The compiled server (build/web.js, as production runs it) when `npm run build` made it after the
 * last change to the sources; otherwise server/index.ts through tsx, so a test run right after
 * an edit to server/ never runs old code. The compiled one starts in about half the time.
 */
function webEntry(): string[] {
  compiledIsFresh ??= !buildIsStale();
  return compiledIsFresh ? ["build/web.js"] : ["--import", "tsx", "server/index.ts"];
}

/**
 * The worker's Node arguments, chosen as the web server's are: the compiled build/worker.js (what
 * production runs) when the build is fresh, else workers/index.ts through tsx. tsx compiles the
 * worker's whole import graph at every start, seconds of CPU each time on a 2-core machine.
 */
export function workerEntry(): string[] {
  compiledIsFresh ??= !buildIsStale();
  return compiledIsFresh ? ["build/worker.js"] : ["--import", "tsx", "workers/index.ts"];
}

/**
 * Tests change a campaign or a count and read its page at once; the in-process page cache
 * (server/page-cache.ts) would show them the copy of up to a second ago. It is off unless a test
 * asks for it (tests/integration/http-page-cache.test.ts and the surge bench do).
 */
const PAGE_CACHE_OFF = { PAGE_CACHE: "off" };

/**
 * A stopping web server keeps its idle keep-alive connections open for SHUTDOWN_DRAIN_MS (5 s by
 * default) before it exits; the test's own fetches leave one such connection, so every stop took
 * 5 s, tens of times a run, most of them in the browser and fault files that run one at a time.
 * Tests of the drain itself (tests/integration/shutdown.test.ts) pass their own value.
 */
const SHORT_DRAIN = { SHUTDOWN_DRAIN_MS: "200" };

/** Starts the real web server (built app) as a child process with the given environment. */
export async function startWeb(env: Record<string, string>, opts: { startTimeoutMs?: number } = {}): Promise<RunningProcess> {
  if (!existsSync(path.join(ROOT, "build/server/index.js"))) throw new Error("no build: run `npm run build` before the tests");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // WEB_NODE_ARGS: Node flags for the web process alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` to
  // profile it under a benchmark (Node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.WEB_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...webEntry()], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "warn", APP_URL: url, ...LENIENT_FRAUD_DEFENCES, ...PAGE_CACHE_OFF, ...SHORT_DRAIN, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + (opts.startTimeoutMs ?? 75_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`web exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`web did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => out,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        // "close", not "exit": the process's last output (flushed as it exits) has been read by then.
        child.once("close", (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** POSTs a urlencoded form without following redirects, as a browser without JavaScript would. */
export async function postForm(url: string, fields: Record<string, string | string[]>, init: RequestInit = {}) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of ([] as string[]).concat(value)) body.append(key, v);
  return fetch(url, { method: "POST", body, redirect: "manual", ...init });
}
