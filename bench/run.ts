/**
 * `npm run bench`: runs every benchmark in bench/ (or those named on the command line) and prints
 * its figures and goals. Exits 1 when a benchmark fails or loses data; a missed speed goal only
 * fails the run with BENCH_STRICT=1, since a shared two-core machine makes timings noisy.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

// Before anything loads the logger: the bench's own process logs warnings only.
process.env.LOG_LEVEL ??= "warn";

const ROOT = path.resolve(import.meta.dirname, "..");
const SERVER_BUILD = path.join(ROOT, "build/server/index.js");

interface Goal {
  kind: "goal" | "check";
  name: string;
  target: string;
  actual: string;
  ok: boolean;
}
interface Outcome {
  name: string;
  goals: Goal[];
  integrityOk: boolean;
}

const BENCHMARKS: Record<string, () => Promise<{ run(signal?: AbortSignal): Promise<Outcome> }>> = {
  sign: () => import("./sign"),
  confirm: () => import("./confirm"),
  "fan-out": () => import("./fan-out"),
  export: () => import("./export"),
  scale: () => import("./scale"),
  surge: () => import("./surge"),
  startup: () => import("./startup"),
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function ensureBuild() {
  if (!existsSync(SERVER_BUILD)) {
    console.log("No build found: running `npm run build` …");
    const result = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
    if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal})`);
  } else if (newestMtime(path.join(ROOT, "app")) > statSync(SERVER_BUILD).mtimeMs) {
    console.log("Note: app/ changed since the last build; run `npm run build` first to bench the current code.");
  }
}

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length) {
    console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Known: ${Object.keys(BENCHMARKS).join(", ")}`);
    process.exit(2);
  }
  ensureBuild();

  const controller = new AbortController();
  process.once("SIGINT", () => {
    console.error("\nInterrupted: stopping and cleaning up …");
    controller.abort();
  });

  const outcomes: Outcome[] = [];
  let failed = false;
  for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
    try {
      const bench = await BENCHMARKS[name]!();
      outcomes.push(await bench.run(controller.signal));
    } catch (error) {
      failed = true;
      console.error(`\n${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    if (controller.signal.aborted) break;
  }

  for (const kind of ["goal", "check"] as const) {
    console.log(kind === "goal" ? "\n== goals" : "== checks");
    for (const outcome of outcomes) {
      for (const goal of outcome.goals.filter((g) => g.kind === kind)) {
        const verdict = goal.ok ? "PASS" : kind === "goal" ? "MISS" : "FAIL";
        console.log(`  ${verdict}  ${outcome.name}: ${goal.name.padEnd(16)} ${goal.actual.padStart(16)}   (${kind} ${goal.target})`);
      }
    }
  }
  const integrity = outcomes.every((o) => o.integrityOk);
  const allGoals = outcomes.every((o) => o.goals.every((g) => g.ok || g.kind === "check"));
  if (!integrity) console.log("  Data check FAILED: see above.");
  const strict = process.env.BENCH_STRICT === "1";
  process.exit(failed || controller.signal.aborted || !integrity || (strict && !allGoals) ? 1 : 0);
}

void main();
