/**
 * The web's Redis connection auto-pipelines (app/services.server.ts): the attempt limits of the
 * requests read in one turn of the event loop go to Redis in one write. Against real Redis: hits
 * sent together on such a connection do go out as one pipeline, and each is still counted against
 * its own key, exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices, getReadyRedis } from "~/services.server";
import { hitRateLimits } from "~/utils/rate-limit.server";
import type { Redis } from "ioredis";
import { deletePrefix, uniquePrefix } from "../support/redis";

const prefix = uniquePrefix("ratepipe");
let redis: Redis;

beforeAll(async () => {
  // The web process's own connection (REDIS_URL of the integration project: the shared Redis).
  redis = await getReadyRedis();
  expect(redis.status).toBe("ready");
});

afterAll(async () => {
  await closeServices();
  await deletePrefix(prefix);
});

describe("attempt limits on an auto-pipelined connection", () => {
  it("sent in one turn go out together, and each press counts against its own link: three of five pass, per link", async () => {
    const rule = { name: "verify-token-600s", limit: 3, windowSeconds: 600 };
    const links = Array.from({ length: 8 }, (_, i) => `link-${i}`);
    const presses = links.flatMap((link) => Array.from({ length: 5 }, () => ({ link, result: hitRateLimits(redis, prefix, [{ rule, key: link }]) })));
    // All forty are queued for one pipeline before any is written.
    expect(redis.autoPipelineQueueSize).toBe(presses.length);
    const results = await Promise.all(presses.map(async ({ link, result }) => ({ link, ...(await result) })));
    for (const link of links) {
      const mine = results.filter((r) => r.link === link);
      expect(mine.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
      for (const refused of mine.filter((r) => !r.allowed)) expect(refused.retryAfterSeconds).toBeGreaterThan(590);
      expect(await redis.get(`${prefix}:ratelimit:${rule.name}:${link}`)).toBe("5");
    }
  });
});
