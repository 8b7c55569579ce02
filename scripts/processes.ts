import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");

/** Runs a TypeScript entry with tsx inside this very Node, so the PID we hold is the process. */
export function spawnTs(entry: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env,
    stdio: "inherit",
  });
}

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when there is no build, or the app's sources changed after it was made. */
export function buildIsStale(): boolean {
  const built = path.join(ROOT, "build/server/index.js");
  if (!existsSync(built)) return true;
  const sources = Math.max(
    newestMtime(path.join(ROOT, "app")),
    newestMtime(path.join(ROOT, "public")),
    newestMtime(path.join(ROOT, "vite.config.ts")),
  );
  return sources > statSync(built).mtimeMs;
}

export function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
    child.on("error", reject);
  });
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

/** Supervises web and worker: a signal stops both; one dying stops the other. */
export function supervise(children: Record<string, ChildProcess>): void {
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of Object.values(children)) if (child.exitCode === null) child.kill(signal);
  };
  let remaining = Object.keys(children).length;
  let worst = 0;
  for (const [name, child] of Object.entries(children)) {
    child.on("exit", (code, signal) => {
      remaining--;
      if (!stopping) {
        console.error(`${name} exited (${signal ?? code}); stopping the rest`);
        worst = code || 1;
        stopAll("SIGTERM");
      }
      if (remaining === 0) process.exit(worst);
    });
  }
  process.on("SIGINT", () => stopAll("SIGINT"));
  process.on("SIGTERM", () => stopAll("SIGTERM"));
}
