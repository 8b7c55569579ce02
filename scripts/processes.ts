import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");

/** Runs a TypeScript entry with tsx inside this very Node, so the PID we hold is the process. */
export function spawnTs(entry: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env, stdio: StdioOptions = "inherit"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", path.join(ROOT, entry), ...args], { cwd: ROOT, env, stdio });
}

/** Runs a compiled entry from build/ (build-tools/bundle-node.ts) with plain Node. */
export function spawnJs(entry: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env, stdio: StdioOptions = "inherit"): ChildProcess {
  return spawn(process.execPath, ["--enable-source-maps", path.join(ROOT, entry), ...args], { cwd: ROOT, env, stdio });
}

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** What `npm run build` makes: the Remix app and the compiled web server and worker. */
export const BUILD_OUTPUTS = ["build/server/index.js", "build/web.js", "build/worker.js"];
const BUILD_SOURCES = ["app", "public", "server", "workers", "build-tools", "vite.config.ts"];

/** True when a build output is missing, or the sources changed after the oldest one was made. */
export function buildIsStale(): boolean {
  const outputs = BUILD_OUTPUTS.map((f) => path.join(ROOT, f));
  if (!outputs.every((f) => existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return Math.max(...BUILD_SOURCES.map((s) => newestMtime(path.join(ROOT, s)))) > built;
}

/** Runs a command to the end; its output goes to `logFile` when given (appended), else to ours. */
export function run(command: string, args: string[], { logFile }: { logFile?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = logFile ? ["ignore", openLog(logFile), openLog(logFile)] : "inherit";
    const child = spawn(command, args, { cwd: ROOT, stdio });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}${logFile ? `; see ${path.relative(ROOT, logFile)}` : ""}`)),
    );
    child.on("error", reject);
  });
}

/** A file descriptor appending to `file` (its folder made if missing), for a child's output. */
export function openLog(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  return openSync(file, "a");
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export interface SuperviseOptions {
  /** restart a child that dies on its own (not on our signal) after a pause that doubles */
  restart?: boolean;
  /** first pause before a restart; doubles per crash in a row, up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** a child that ran this long before dying starts again from the first pause */
  stableAfterMs?: number;
  log?: (line: string) => void;
}

/**
 * Supervises web and worker: a signal stops them all. A child that dies on its own is started
 * again after a pause that doubles with each crash in a row (1 s, 2 s, 4 s … 30 s), so a crash
 * loop neither spins the CPU nor gives up; without `restart`, one dying stops the rest.
 */
export function supervise(children: Record<string, () => ChildProcess>, options: SuperviseOptions = {}): Record<string, () => ChildProcess | undefined> {
  const { restart = false, backoffMs = 1_000, maxBackoffMs = 30_000, stableAfterMs = 60_000, log = (line) => console.error(line) } = options;
  const running: Record<string, ChildProcess | undefined> = {};
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  let worst = 0;

  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const t of timers) clearTimeout(t);
    for (const child of Object.values(running)) if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    maybeExit();
  };
  const maybeExit = () => {
    if (stopping && Object.values(running).every((c) => !c || c.exitCode !== null || c.signalCode !== null)) process.exit(worst);
  };

  const start = (name: string, crashes: number) => {
    const child = children[name]!();
    const startedAt = Date.now();
    running[name] = child;
    child.on("exit", (code, signal) => {
      if (stopping) return maybeExit();
      const how = signal ?? `code ${code}`;
      if (!restart) {
        log(`${name} exited (${how}); stopping the rest`);
        worst = code || 1;
        return stopAll("SIGTERM");
      }
      const inARow = Date.now() - startedAt >= stableAfterMs ? 0 : crashes + 1;
      const pause = Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, inARow - 1));
      log(`${name} exited (${how}); restarting it in ${pause / 1000} s${inARow > 1 ? ` (crash ${inARow} in a row)` : ""}`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopping) return;
        start(name, inARow);
        log(`${name} restarted (pid ${running[name]?.pid})`);
      }, pause);
      timers.add(timer);
    });
  };
  for (const name of Object.keys(children)) start(name, 0);

  process.on("SIGINT", () => stopAll("SIGINT"));
  process.on("SIGTERM", () => stopAll("SIGTERM"));
  return Object.fromEntries(Object.keys(children).map((name) => [name, () => running[name]]));
}
