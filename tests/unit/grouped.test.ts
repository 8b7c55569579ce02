/**
 * The grouping of statements (app/db/grouped.server.ts), with a plain function in place of the
 * statement: what it is given and when. tests/integration/sign-grouped.test.ts runs the real one.
 */
import { describe, expect, it } from "vitest";
import { createGrouper } from "~/db/grouped.server";

const tick = () => new Promise((r) => setImmediate(r));

function recorder(answer: (items: number[]) => Promise<number[]> = async (items) => items.map((n) => n * 10)) {
  const groups: number[][] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const run = async (items: number[]) => {
    groups.push(items);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, 5));
      return await answer(items);
    } finally {
      inFlight--;
    }
  };
  return { run, groups, mostInFlight: () => mostInFlight };
}

describe("grouped statements", () => {
  it("send a lone call on its own, at once", async () => {
    const r = recorder();
    const g = createGrouper({ run: r.run, maxGroup: 10, maxInFlight: 2 });
    expect(await g.submit(7)).toBe(70);
    expect(r.groups).toEqual([[7]]);
  });

  it("put the calls of one moment together, never more than maxGroup, with at most maxInFlight running", async () => {
    const r = recorder();
    const g = createGrouper({ run: r.run, maxGroup: 4, maxInFlight: 2 });
    const all = Array.from({ length: 20 }, (_, i) => g.submit(i));
    expect(await Promise.all(all)).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(r.groups.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Math.max(...r.groups.map((x) => x.length))).toBe(4);
    expect(r.mostInFlight()).toBe(2);
    expect(g.stats).toMatchObject({ statements: 5, calls: 20, largest: 4, rerunAlone: 0 });
  });

  it("gather what arrives while the groups in flight run into the next one", async () => {
    const r = recorder();
    const g = createGrouper({ run: r.run, maxGroup: 100, maxInFlight: 1 });
    const first = g.submit(1);
    await tick();
    const later = [2, 3, 4].map((n) => g.submit(n));
    await Promise.all([first, ...later]);
    expect(r.groups).toEqual([[1], [2, 3, 4]]);
  });

  it("run each call of a group alone again when one row could have caused its failure", async () => {
    const r = recorder(async (items) => {
      if (items.includes(13)) throw Object.assign(new Error("violates check constraint"), { code: "23514" });
      return items.map((n) => n * 10);
    });
    const g = createGrouper({ run: r.run, maxGroup: 10, maxInFlight: 1 });
    const results = await Promise.allSettled([12, 13, 14].map((n) => g.submit(n)));
    expect(results).toEqual([
      { status: "fulfilled", value: 120 },
      { status: "rejected", reason: expect.objectContaining({ code: "23514" }) },
      { status: "fulfilled", value: 140 },
    ]);
    expect(g.stats.rerunAlone).toBe(3);
    // Run again one after another in the group's place, not all at once past maxInFlight.
    expect(r.mostInFlight()).toBe(1);
    expect(r.groups).toEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it("fail the whole group at once, without running it again, when the database itself failed", async () => {
    const r = recorder(async () => {
      throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
    });
    const g = createGrouper({ run: r.run, maxGroup: 10, maxInFlight: 1 });
    const results = await Promise.allSettled([1, 2, 3].map((n) => g.submit(n)));
    expect(results.map((x) => x.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(r.groups).toEqual([[1, 2, 3]]);
  });

  it("refuse an answer with a row too few rather than hand a caller someone else's", async () => {
    const r = recorder(async (items) => items.slice(1).map((n) => n * 10));
    const g = createGrouper({ run: r.run, maxGroup: 10, maxInFlight: 1 });
    const results = await Promise.allSettled([1, 2].map((n) => g.submit(n)));
    expect(results.map((x) => x.status)).toEqual(["rejected", "rejected"]);
  });
});
