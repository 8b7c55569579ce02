/**
 * No open redirect through `next` after logging in: it is a path on this site or the dashboard; an
 * odd value is never a 5xx, and a log-in whose answer cannot be sent leaves no session behind.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInUser } from "../support/organisers";
import { postForm } from "../support/web";
import { createAccount, startSecurityStack, type SecurityStack } from "./stack";

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack("secnext");
});
afterAll(async () => stack?.stop());

const HOSTILE_NEXT = [
  "/%09/evil.example/x",
  "/%0A/x",
  "/%0D%0ASet-Cookie:x=1",
  "/%E3%80%82/x",
  "//evil.example",
  "/\\evil.example",
  "/%5Cevil.example",
  "/.//evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  "%2F%2Fevil.example",
];

/** Where a browser would go after this Location, resolved against the site. */
const destination = (location: string, base: string) => new URL(location.replace(/[\t\n\r]/g, "").replace(/\\/g, "/"), base);

describe("next after logging in", () => {
  it("a signed-in visitor is sent only to paths on this site, never a 5xx", async () => {
    const user = await signedInUser(stack.tdb.db);
    for (const next of HOSTILE_NEXT) {
      const res = await fetch(`${stack.web.url}/login?next=${next}`, { headers: { Cookie: user.cookie }, redirect: "manual" });
      expect(res.status, next).toBe(302);
      const location = res.headers.get("location")!;
      expect(destination(location, stack.web.url).origin, `${next} → ${location}`).toBe(new URL(stack.web.url).origin);
      expect(location).not.toMatch(/[\t\r\n]/);
    }
  });

  it("a plain path with a query survives", async () => {
    const user = await signedInUser(stack.tdb.db);
    const res = await fetch(`${stack.web.url}/login?next=${encodeURIComponent("/dashboard/campaigns/1?tab=stats")}`, { headers: { Cookie: user.cookie }, redirect: "manual" });
    expect(res.headers.get("location")).toBe("/dashboard/campaigns/1?tab=stats");
  });

  it("logging in with an odd next goes to the dashboard, and with a bad one leaves exactly one session", async () => {
    const { email, password } = await createAccount(stack.tdb);
    const sessions = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ${email}`.execute(stack.tdb.db)).rows[0]!.n;
    for (const next of ["/%E3%80%82/x", "/%09/evil.example/x", "/%0D%0ASet-Cookie:x=1"]) {
      const before = await sessions();
      const res = await postForm(`${stack.web.url}/login?next=${next}`, { email, password });
      expect(res.status, next).toBe(303);
      const location = res.headers.get("location")!;
      expect(destination(location, stack.web.url).origin).toBe(new URL(stack.web.url).origin);
      expect(res.headers.get("set-cookie")).toMatch(/^banner_session=/);
      expect(await sessions()).toBe(before + 1);
    }
  });
});
