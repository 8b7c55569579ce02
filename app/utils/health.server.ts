import { sql } from "kysely";
import { getDb, getReadyRedis } from "~/services.server";

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function pingRedis(): Promise<string> {
  const redis = await getReadyRedis(1_900);
  return redis.ping();
}

/** Ready means Postgres and Redis both answer within two seconds. */
export async function readiness(): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  const [pg, redis] = await Promise.allSettled([
    withTimeout(sql`SELECT 1`.execute(getDb()), 2_000),
    withTimeout(pingRedis(), 2_000),
  ]);
  checks.postgres = pg.status === "fulfilled" ? "ok" : `error: ${String(pg.reason?.message ?? pg.reason)}`;
  checks.redis = redis.status === "fulfilled" ? "ok" : `error: ${String(redis.reason?.message ?? redis.reason)}`;
  return { ok: pg.status === "fulfilled" && redis.status === "fulfilled", checks };
}
