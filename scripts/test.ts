/**
 * `npm test`: the typecheck, the linter, the build and vitest, side by side where they can be.
 *
 * Run one after the other, the typecheck, lint and build kept both cores busy for minutes on a
 * loaded machine before the first test. Here the typecheck and lint run beside the build and the
 * tests; the tests start once the build is done (they run the built server).
 *
 * The tests run in two lanes side by side, each a chain of vitest processes. The first lane runs
 * the unit, integration and security files (three at a time), then the axe-heavy e2e files; the
 * second runs the fault and topology files, then the other e2e files. The browser and fault
 * projects run one file at a time within their process. In one vitest process those projects
 * came after the rest in a single queue (vitest runs every file without file parallelism in one
 * queue), with one core mostly idle while a fault test waited out an outage; run after the
 * integration files in two processes, the e2e files alone were the last two minutes. The fault
 * files mostly wait, so they go beside the integration files from the start.
 *
 * The typecheck's, lint's and build's output is printed whole when each ends; vitest prints as it
 * goes, each line marked `[tests]`, `[e2e]` or `[faults]`. At the end come the test files and tests
 * counted over all the vitest runs (from their JSON reports) and the slowest files. The run fails when any
 * step fails; a failed build skips the tests.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./processes";

interface Outcome {
  name: string;
  code: number;
  seconds: number;
}

const bin = (name: string) => path.join(ROOT, "node_modules/.bin", name);
const startedAt = Date.now();

/** Prints a stream line by line as it comes, each line after `mark`. */
function printLive(stream: NodeJS.ReadableStream, mark: string) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) process.stdout.write(`${mark}${line}\n`);
  });
  stream.on("end", () => rest && process.stdout.write(`${mark}${rest}\n`));
}

function step(name: string, command: string, args: string[], { env = {}, live }: { env?: Record<string, string>; live?: string } = {}): Promise<Outcome> {
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    if (live !== undefined) {
      printLive(child.stdout, live);
      printLive(child.stderr, live);
    } else {
      child.stdout.on("data", (c: Buffer) => chunks.push(c));
      child.stderr.on("data", (c: Buffer) => chunks.push(c));
    }
    console.log(`▶ ${name}`);
    const finish = (code: number) => {
      const seconds = Math.round((Date.now() - began) / 100) / 10;
      const text = Buffer.concat(chunks).toString().trimEnd();
      console.log(`\n${code === 0 ? "✔" : "✘"} ${name} (${seconds} s${code === 0 ? "" : `, exit ${code}`})${text ? `\n${text}` : ""}`);
      resolve({ name, code, seconds });
    };
    child.on("error", (error) => {
      chunks.push(Buffer.from(String(error)));
      finish(1);
    });
    child.on("close", (code, signal) => finish(code ?? (signal ? 1 : 0)));
  });
}

// Colours survive the capture; vitest and eslint would otherwise drop them off a terminal.
const colour: Record<string, string> = process.stdout.isTTY ? { FORCE_COLOR: "1" } : {};

// The typecheck runs TypeScript 7's native compiler (package.json's `typescript7`), named by its
// path: its `tsc` and TypeScript 5.9's share the name in node_modules/.bin. It reports what 5.9
// does on this code in a third of the time (8 s of wall time alone here, 24 s with 5.9), and the
// typecheck ran beside the build and the first tests. TypeScript 5.9 stays the `typescript`
// package, for Remix, Vite and typescript-eslint, which need its JavaScript API.
const TSC = path.join(ROOT, "node_modules/typescript7/bin/tsc");

// The typecheck and the linter keep what they learnt in node_modules/.cache, so a second run on
// the same tree checks only what changed (a fresh `npm ci` starts them over). The lint cache is
// sound here because no rule reads types (eslint.config.js has no type-checked configs): a file's
// findings depend on its own text and the config, which is what the cache keys on.
const cache = path.join(ROOT, "node_modules/.cache/banner");
const checks = [
  step("typecheck", process.execPath, [TSC, "--noEmit", "--incremental", "--tsBuildInfoFile", path.join(cache, "tsc7.tsbuildinfo")]),
  step("lint", bin("eslint"), ["--cache", "--cache-location", path.join(cache, "eslint/"), "."], { env: colour }),
];

const reports = mkdtempSync(path.join(tmpdir(), "banner-test-"));

interface VitestRun {
  name: string;
  mark: string;
  projects: string[];
  /** only these files (paths from the root), or every file of the projects but these */
  files?: { only: string[] } | { except: string[] };
}

// The axe-heavy e2e files, which follow the unit, integration and security files in the first
// lane; every other e2e file (a new one too) follows the fault and topology files in the second.
// The split keeps the two lanes about the same length. With the web server bundled (a third less
// CPU to start one, and the integration files start most of them) the first lane ended 32 s
// before the second; signing.test.ts (18 s) moved to it: 162 s + 168 s against 146 s + 181 s.
const E2E_AFTER_TESTS = ["tests/e2e/a11y.test.ts", "tests/e2e/dashboard-a11y.test.ts", "tests/e2e/i18n.test.ts", "tests/e2e/reach.test.ts", "tests/e2e/signing.test.ts"];
const LANES: VitestRun[][] = [
  [
    { name: "vitest", mark: "[tests] ", projects: ["unit", "integration", "security"] },
    { name: "vitest e2e axe", mark: "[e2e] ", projects: ["e2e"], files: { only: E2E_AFTER_TESTS } },
  ],
  [
    { name: "vitest faults", mark: "[faults] ", projects: ["faults"] },
    { name: "vitest e2e", mark: "[e2e] ", projects: ["e2e"], files: { except: E2E_AFTER_TESTS } },
  ],
];
const VITEST_RUNS = LANES.flat();

const vitest = (run: VitestRun) =>
  step(
    run.name,
    bin("vitest"),
    [
      "run",
      ...run.projects.flatMap((p) => ["--project", p]),
      ...(run.files && "only" in run.files ? run.files.only : []),
      ...(run.files && "except" in run.files ? run.files.except.flatMap((f) => ["--exclude", f]) : []),
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${reportFile(run.name)}`,
    ],
    { env: colour, live: run.mark },
  );
const reportFile = (name: string) => path.join(reports, `${name.replace(/\W+/g, "-")}.json`);

/** A lane's vitest runs one after the other; a failed run does not stop the ones after it. */
async function lane(runs: VitestRun[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const run of runs) outcomes.push(await vitest(run));
  return outcomes;
}

const tests = step("build", "npm", ["run", "--silent", "build"]).then(async (build) => {
  if (build.code !== 0) return [build];
  // Two lanes side by side, each one file of a browser or fault project at a time.
  return [build, ...(await Promise.all(LANES.map(lane))).flat()];
});

const outcomes = [...(await Promise.all(checks)), ...(await tests)];
const failures = printTestCounts();
rmSync(reports, { recursive: true, force: true });
const failed = outcomes.filter((o) => o.code !== 0);
console.log(`\n${outcomes.map((o) => `${o.code === 0 ? "✔" : "✘"} ${o.name} ${o.seconds} s`).join("\n")}`);
// CI keeps only the end of the output, so the failed tests are named again here, beside the last line.
if (failures.length) console.log(`\nfailed tests:\n${failures.map((f) => `  ✘ ${f}`).join("\n")}`);
console.log(`npm test: ${failed.length ? `failed (${failed.map((o) => o.name).join(", ")})` : "passed"} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
process.exitCode = failed.length ? 1 : 0;

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    name: string;
    startTime: number;
    endTime: number;
    status?: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

/** The first lines of a failure message (the library's stack frames left out), without colour codes, indented. */
function firstLines(message: string, count = 12): string {
  // eslint-disable-next-line no-control-regex
  const plain = message.replace(/\x1b\[[0-9;]*m/g, "");
  return plain
    .split("\n")
    .filter((line) => !/node_modules|node:internal|\(<anonymous>\)/.test(line))
    .slice(0, count)
    .map((line) => `      ${line}`)
    .join("\n");
}

/** Test files and tests over all the vitest runs, and the slowest files (a missing report is said). */
function printTestCounts(): string[] {
  const totals = { files: 0, tests: 0, passed: 0, failed: 0, skipped: 0 };
  const files: { name: string; seconds: number; tests: number }[] = [];
  const failures: string[] = [];
  for (const run of VITEST_RUNS) {
    let report: JsonReport;
    try {
      report = JSON.parse(readFileSync(reportFile(run.name), "utf8")) as JsonReport;
    } catch {
      console.log(`\n(${run.name} wrote no report)`);
      continue;
    }
    totals.files += report.testResults.length;
    totals.tests += report.numTotalTests;
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
    for (const f of report.testResults) {
      const name = path.relative(ROOT, f.name);
      files.push({ name, seconds: (f.endTime - f.startTime) / 1000, tests: f.assertionResults.length });
      const failedTests = f.assertionResults.filter((a) => a.status === "failed");
      for (const t of failedTests) failures.push(`${name} > ${t.fullName}\n${firstLines(t.failureMessages.join("\n"))}`);
      // A file that failed before any test ran (an import or a hook) has no failed test to name.
      if (f.status === "failed" && !failedTests.length) failures.push(`${name}\n${firstLines(f.message ?? "")}`);
    }
  }
  if (!files.length) return failures;
  const slowest = files.sort((a, b) => b.seconds - a.seconds).slice(0, 8);
  console.log(`\nslowest test files:\n${slowest.map((f) => `  ${f.seconds.toFixed(1).padStart(6)} s  ${f.name} (${f.tests} tests)`).join("\n")}`);
  console.log(
    `tests: ${totals.files} files, ${totals.tests} tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`,
  );
  return failures;
}
