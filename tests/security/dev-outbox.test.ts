/**
 * The dev outbox (every captured mail, password resets included) answers only
 * when SMTP is unset and the request comes from this machine, or with an explicit DEV_OUTBOX=on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeb } from "../support/web";
import { startSecurityStack, type SecurityStack } from "./stack";

let stack: SecurityStack;

beforeAll(async () => {
  // Not production: the default a developer (or a careless deployment) runs with.
  stack = await startSecurityStack("secoutbox", { NODE_ENV: "development", TRUSTED_PROXIES: "127.0.0.1" });
});
afterAll(async () => stack?.stop());

describe("/dev/outbox", () => {
  it("opens to a client on this machine, and says why", async () => {
    const res = await fetch(`${stack.web.url}/dev/outbox`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Only this machine can open this page");
  });

  it("is a 404 to a client behind a proxy, trusted or not", async () => {
    for (const forwardedFor of ["203.0.113.9", "127.0.0.1"]) {
      const res = await fetch(`${stack.web.url}/dev/outbox`, { headers: { "X-Forwarded-For": forwardedFor } });
      expect(res.status, forwardedFor).toBe(404);
      expect(await res.text()).not.toContain("Development outbox</h1>");
    }
  });

  it("is a 404 whenever SMTP_URL is set, and open to all only with DEV_OUTBOX=on", async () => {
    const base = { NODE_ENV: "development", DATABASE_URL: stack.tdb.url, REDIS_PREFIX: stack.prefix };
    const withSmtp = await startWeb({ ...base, SMTP_URL: "smtp://127.0.0.1:1", DEV_OUTBOX: "on" });
    try {
      expect((await fetch(`${withSmtp.url}/dev/outbox`)).status).toBe(404);
    } finally {
      await withSmtp.stop();
    }
    const open = await startWeb({ ...base, NODE_ENV: "production", DEV_OUTBOX: "on", SESSION_SECRET: "x".repeat(40) });
    try {
      expect((await fetch(`${open.url}/dev/outbox`, { headers: { "X-Forwarded-For": "203.0.113.9" } })).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
