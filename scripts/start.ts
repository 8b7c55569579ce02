import path from "node:path";
import { createDb } from "~/db/db.server";
import { ensureDatabase, migrateToLatest } from "~/db/migrate.server";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { env, EnvError } from "~/utils/env.server";
import { buildIsStale, openLog, ROOT, run, spawnJs, supervise, waitForHttp } from "./processes";

/**
 * `npm start`: build if needed, create + migrate + seed the database, run the compiled web server
 * and worker, and restart either if it crashes. The terminal gets one line per step and the URL
 * last; the bundler's output and the processes' JSON logs go to files under LOG_DIR.
 */
let config;
try {
  config = env();
} catch (error) {
  if (error instanceof EnvError) {
    console.error(error.message);
    process.exit(78);
  }
  throw error;
}

const logDir = path.resolve(ROOT, process.env.LOG_DIR ?? ".data/logs");
const rel = (file: string) => {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
};
const logFile = (name: string) => path.join(logDir, `${name}.log`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const step = (name: string, text: string) => console.log(`  ✓ ${name.padEnd(10)} ${text}`);
const fail = (name: string, text: string, hint?: string): never => {
  console.error(`  ✗ ${name.padEnd(10)} ${text}`);
  if (hint) console.error(`    ${hint}`);
  process.exit(1);
};

console.log("Starting Banner");

let t = Date.now();
if (buildIsStale()) {
  try {
    await run(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], { logFile: logFile("build") });
    await run(process.execPath, ["--import", "tsx", "build-tools/bundle-node.ts"], { logFile: logFile("build") });
  } catch (error) {
    fail("build", (error as Error).message);
  }
  step("build", `done in ${seconds(t)} (output in ${rel(logFile("build"))})`);
} else {
  step("build", "up to date");
}

const dbUrl = new URL(config.DATABASE_DIRECT_URL);
const dbName = `${dbUrl.pathname.slice(1)} on ${dbUrl.hostname}:${dbUrl.port || 5432}`;
const db = createDb({ connectionString: config.DATABASE_DIRECT_URL, max: 2, applicationName: "banner-setup" });
try {
  t = Date.now();
  const created = await ensureDatabase(config.DATABASE_DIRECT_URL);
  step("database", `${dbName}${created ? " (created)" : ""}`);
  const applied = ((await migrateToLatest(db)).results ?? []).filter((r) => r.status === "Success").length;
  step("migrations", applied ? `${applied} applied` : "up to date");
  const seeded = await seedDemoCampaign(db);
  step("seed", seeded ? "demo campaign added" : "skipped (the database already has campaigns)");
} catch (error) {
  fail("database", `${dbName}: ${(error as Error).message}`, "Is PostgreSQL running? See README.md for how to start it.");
} finally {
  await db.destroy();
}

// Compiled JavaScript (build/web.js, build/worker.js): no TypeScript loader in the processes.
const childLog = (name: string) => ["ignore", openLog(logFile(name)), openLog(logFile(name))] as const;
supervise(
  {
    web: () => spawnJs("build/web.js", [], process.env, [...childLog("web")]),
    worker: () => spawnJs("build/worker.js", [], process.env, [...childLog("worker")]),
  },
  { restart: true, log: (line) => console.error(`  ! ${line} (log: ${rel(logFile(line.split(" ")[0]!))})`) },
);

try {
  await waitForHttp(`http://127.0.0.1:${config.PORT}/healthz`);
} catch (error) {
  fail("web", (error as Error).message, `See ${rel(logFile("web"))}.`);
}
step("processes", `web and worker running (logs in ${rel(logDir)}/)`);
if (!config.SMTP_URL && config.NODE_ENV !== "production") console.log(`\n  Emails are captured at ${config.APP_URL}/dev/outbox`);
console.log(`\n  Banner is running at ${config.APP_URL}\n`);
