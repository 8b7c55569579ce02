import { env, EnvError } from "~/utils/env.server";
import { prepareDatabase } from "./prepare-db";
import { buildIsStale, run, spawnTs, supervise, waitForHttp } from "./processes";

/** `npm start`: build if needed, create + migrate + seed the database, run web and worker. */
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

if (buildIsStale()) {
  console.log("Building the web app…");
  await run(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"]);
}

try {
  const db = await prepareDatabase(config.DATABASE_DIRECT_URL);
  console.log(
    `Database ready${db.created ? " (created)" : ""}; migrations applied: ${db.applied.length}${db.seeded ? "; demo campaign seeded" : ""}`,
  );
} catch (error) {
  console.error(`Could not prepare the database at ${config.DATABASE_DIRECT_URL}: ${(error as Error).message}`);
  console.error("Is PostgreSQL running? See README.md for how to start it.");
  process.exit(1);
}

const web = spawnTs("server/index.ts");
const worker = spawnTs("workers/index.ts");
supervise({ web, worker });

await waitForHttp(`http://127.0.0.1:${config.PORT}/healthz`);
console.log(`\n  Banner is running at ${config.APP_URL}  (port ${config.PORT})`);
if (!config.SMTP_URL && config.NODE_ENV !== "production") console.log(`  Emails are captured at ${config.APP_URL}/dev/outbox\n`);
