import { env } from "~/utils/env.server";
import { prepareDatabase } from "./prepare-db";

const result = await prepareDatabase(env().DATABASE_DIRECT_URL, { seed: false });
console.log(JSON.stringify({ msg: "migrated", ...result }));
