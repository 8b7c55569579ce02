/**
 * `npm test`: the typecheck, the linter, the build and vitest, side by side where they can be.
 *
 * Run one after the other, the typecheck, lint and build kept both cores busy for minutes on a
 * loaded machine before the first test. Here the typecheck and lint run beside the build and the
 * tests; vitest starts once the build is done (the tests run the built server). Inside vitest
 * (vitest.config.ts) the e2e and fault files run one at a time after the others: run beside them,
 * axe-heavy browser files and the outage latency checks timed out on a loaded machine.
 *
 * The typecheck's, lint's and build's output is printed whole when each ends; vitest prints as it
 * goes, each line marked `[tests]`. The run fails when any step fails; a failed build skips the
 * tests.
 */
import { spawn } from "node:child_process";
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

const checks = [step("typecheck", bin("tsc"), ["--noEmit"]), step("lint", bin("eslint"), ["."], { env: colour })];
const tests = step("build", "npm", ["run", "--silent", "build"]).then(async (build) => {
  if (build.code !== 0) return [build];
  return [build, await step("vitest", bin("vitest"), ["run"], { env: colour, live: "[tests] " })];
});

const outcomes = [...(await Promise.all(checks)), ...(await tests)];
const failed = outcomes.filter((o) => o.code !== 0);
console.log(`\n${outcomes.map((o) => `${o.code === 0 ? "✔" : "✘"} ${o.name} ${o.seconds} s`).join("\n")}`);
console.log(`npm test: ${failed.length ? `failed (${failed.map((o) => o.name).join(", ")})` : "passed"} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
process.exitCode = failed.length ? 1 : 0;
