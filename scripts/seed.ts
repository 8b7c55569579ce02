import { env } from "~/utils/env.server";
import { prepareDatabase } from "./prepare-db";

const result = await prepareDatabase(env().DATABASE_DIRECT_URL, { seed: true });
console.log(JSON.stringify({ msg: result.seeded ? "seeded the demo campaign" : "database not empty: nothing seeded", ...result }));
