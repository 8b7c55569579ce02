import { env } from "~/utils/env.server";
import { prepareDatabase } from "./prepare-db";
import { spawnTs, supervise, waitForHttp } from "./processes";

/** `npm run dev`: Vite dev server (inside the Express server) and the worker, reloading on change. */
const config = env();
await prepareDatabase(config.DATABASE_DIRECT_URL);
supervise({
  web: () => spawnTs("server/index.ts", ["--dev"], { ...process.env, NODE_ENV: "development" }),
  worker: () => spawnTs("workers/index.ts", [], { ...process.env, NODE_ENV: "development" }),
});
await waitForHttp(`http://127.0.0.1:${config.PORT}/healthz`);
console.log(`\n  Banner (dev) is running at ${config.APP_URL}\n`);
