import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { WorkerConfig } from "../../workers/worker";
import { SHARED_REDIS_URL } from "./redis";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface WorkerChild {
  pid: number;
  process: ChildProcess;
  /** resolves with the exit code (or signal name) */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the real worker in a child process (its PID is the worker's) and waits until it is up. */
export async function startWorkerChild(config: Pick<WorkerConfig, "databaseUrl" | "redisPrefix"> & Partial<WorkerConfig>): Promise<WorkerChild> {
  const full: WorkerConfig = { redisUrl: SHARED_REDIS_URL, mailFrom: "Banner <no-reply@banner.test>", appUrl: "http://banner.test", relayIntervalMs: 50, ...config };
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/support/worker-process.ts")], {
    cwd: ROOT,
    env: { ...process.env, BANNER_TEST_WORKER: JSON.stringify(full), LOG_LEVEL: process.env.LOG_LEVEL ?? "error", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("worker child did not start within 30 s")), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker child exited early (${code})`));
    });
  });
  child.stdout!.resume();
  return { pid: child.pid!, process: child, exited, kill: (signal) => child.kill(signal) };
}
