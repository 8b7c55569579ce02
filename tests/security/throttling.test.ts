/**
 * Wrong passwords slow an account down but never lock its owner out, and
 * the forms that hash a password or send a mail to any address are limited per client and per
 * address. The server believes X-Forwarded-For from 127.0.0.1, so each test picks its clients.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED_REDIS_URL } from "../support/redis";
import { postForm } from "../support/web";
import { createAccount, startSecurityStack, type SecurityStack } from "./stack";

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack("secthrottle", { TRUSTED_PROXIES: "127.0.0.1" });
});
afterAll(async () => stack?.stop());

const from = (client: string) => ({ headers: { "X-Forwarded-For": client } });
let clients = 0;
/** A client address no other test uses. */
const newClient = () => `198.51.100.${++clients}`;

describe("log-in throttling", () => {
  it("15 wrong passwords from one client never stop the owner logging in from another", async () => {
    const { email, password } = await createAccount(stack.tdb);
    const attacker = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await postForm(`${stack.web.url}/login`, { email, password: `wrong guess ${i}` }, from(attacker))).status);
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    // That client is held back for this account...
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    expect((await postForm(`${stack.web.url}/login`, { email, password }, from(attacker))).status).toBe(429);
    // ...the owner is not.
    const owner = await postForm(`${stack.web.url}/login`, { email, password }, from(newClient()));
    expect(owner.status).toBe(303);
    expect(owner.headers.get("set-cookie")).toMatch(/^banner_session=/);
  });

  it("one client is limited across accounts", async () => {
    const client = newClient();
    // As if 45 attempts had come from this client already (saves 45 slow password hashes).
    const { Redis } = await import("ioredis");
    const redis = new Redis(SHARED_REDIS_URL);
    await redis.set(`${stack.prefix}:ratelimit:login-ip:${client}`, 45, "EX", 900);
    redis.disconnect();
    let refused = 0;
    for (let i = 0; i < 10; i++) {
      const res = await postForm(`${stack.web.url}/login`, { email: `nobody-${i}-${clients}@example.org`, password: "x".repeat(12) }, from(client));
      if (res.status === 429) refused++;
      else expect(res.status).toBe(400);
    }
    expect(refused).toBe(5);
  });
});

async function users() {
  return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM users`.execute(stack.tdb.db)).rows[0]!.n;
}
async function mails(kind: string) {
  return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox WHERE topic = 'account.email' AND payload->>'kind' = ${kind}`.execute(stack.tdb.db)).rows[0]!.n;
}

describe("mails to any address", () => {
  it("sign-up is limited per client: 30 sign-ups from one client make at most 10 accounts", async () => {
    const client = newClient();
    const before = await users();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await postForm(`${stack.web.url}/signup`, { displayName: "Spammer", email: `target-${i}-${clients}@example.org`, password: "long enough password" }, from(client));
      statuses.push(res.status);
      if (res.status === 429) expect(await res.text()).toContain("Too many attempts");
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect((await users()) - before).toBe(10);
  });

  it("sign-up is limited per address, whichever client asks", async () => {
    const email = `victim-${clients}@example.org`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postForm(`${stack.web.url}/signup`, { displayName: "X", email, password: "long enough password" }, from(newClient()))).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it("password-reset requests are limited per client and per address", async () => {
    const client = newClient();
    const perClient: number[] = [];
    for (let i = 0; i < 12; i++) perClient.push((await postForm(`${stack.web.url}/forgot-password`, { email: `someone-${i}-${clients}@example.org` }, from(client))).status);
    expect(perClient.filter((s) => s === 429)).toHaveLength(2);

    const { email } = await createAccount(stack.tdb);
    const before = await mails("reset-password");
    const perAddress: number[] = [];
    for (let i = 0; i < 5; i++) perAddress.push((await postForm(`${stack.web.url}/forgot-password`, { email }, from(newClient()))).status);
    expect(perAddress).toEqual([200, 200, 200, 429, 429]);
    // Three requests reached the use case (which itself queues a reset at most every 2 minutes once sent).
    expect((await mails("reset-password")) - before).toBeLessThanOrEqual(3);
  });
});
