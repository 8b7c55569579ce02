/**
 * The suppression list in the admin console, over real HTTP (the built server): admins see every
 * refused address with its reason, SMTP code, message kind and time, and lift one with a plain
 * form POST (audited); organisers and anonymous visitors get nothing.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { recordSuppression } from "~/mail/suppressions.server";
import { commitSessionCookie } from "~/modules/accounts/session-cookie.server";
import { createSession } from "~/modules/accounts/sessions.server";
import type { TestDatabase } from "../support/db";
import { integrationStack, type WebServer } from "../support/stack";
import { postForm } from "../support/web";

const stack = integrationStack({ label: "suppressions", web: true });
let t: TestDatabase;
let web: WebServer;

beforeAll(() => {
  t = stack.database;
  web = stack.web;
});

const get = (path: string, cookie = "") => fetch(`${web.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
const post = (path: string, fields: Record<string, string>, cookie = "") => postForm(`${web.url}${path}`, fields, { headers: { Cookie: cookie } });

/** A confirmed account with a session, straight in the database. */
async function signedIn(role: "user" | "admin") {
  const email = `${role}-${randomBytes(5).toString("hex")}@example.org`;
  const row = await t.db
    .insertInto("users")
    .values({ email, email_normalized: email, display_name: role, password_hash: "scrypt$x", email_confirmed_at: new Date(), role })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, cookie: (await commitSessionCookie(await createSession(t.db, row.id))).split(";")[0]! };
}

const suppressed = (email: string) => t.db.selectFrom("email_suppressions").select("email_normalized").where("email_normalized", "=", email).executeTakeFirst();

describe("the suppression list page", () => {
  it("shows admins each address with its reason, code, kind and time, linked from the console's nav", async () => {
    const admin = await signedIn("admin");
    const address = `gone-${randomBytes(4).toString("hex")}@example.net`;
    await recordSuppression(t.db, { email: address, reason: "550 5.1.1 <mailbox> does not exist", smtpCode: 550, kind: "update" });

    const res = await get("/admin/suppressions", admin.cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(address);
    expect(html).toContain("550 5.1.1 &lt;mailbox&gt; does not exist");
    expect(html).toMatch(/<td>550<\/td>/);
    expect(html).toContain(">update</td>");
    expect(html).toContain('href="/admin/suppressions"');

    const searched = await (await get(`/admin/suppressions?q=${encodeURIComponent("no-such-part")}`, admin.cookie)).text();
    expect(searched).not.toContain(address);
  });

  it("lifts one address with a form POST (no JavaScript), audited; an unknown address is a 404 message, bad input a 400", async () => {
    const admin = await signedIn("admin");
    const address = `bounced-${randomBytes(4).toString("hex")}@example.net`;
    const other = `kept-${randomBytes(4).toString("hex")}@example.net`;
    await recordSuppression(t.db, { email: address, reason: "550 no such user", smtpCode: 550, kind: "signature.verification" });
    await recordSuppression(t.db, { email: other, reason: "554 policy", smtpCode: 554, kind: "update" });

    const lifted = await post("/admin/suppressions", { email: address }, admin.cookie);
    expect(lifted.status).toBe(200);
    expect(await lifted.text()).toContain("Suppression lifted");
    expect(await suppressed(address)).toBeUndefined();
    expect(await suppressed(other)).toBeDefined();
    const audit = await t.db.selectFrom("audit_log").select(["actor_user_id", "subject"]).where("action", "=", "email.unsuppress").execute();
    expect(audit).toContainEqual({ actor_user_id: admin.id, subject: address });

    expect((await post("/admin/suppressions", { email: address }, admin.cookie)).status).toBe(404);
    expect((await post("/admin/suppressions", {}, admin.cookie)).status).toBe(400);
    expect((await post("/admin/suppressions", { email: "x".repeat(400) }, admin.cookie)).status).toBe(400);
  });

  it("is closed to organisers (403) and to anonymous visitors (log-in redirect), page and POST alike", async () => {
    const organiser = await signedIn("user");
    const address = `private-${randomBytes(4).toString("hex")}@example.net`;
    await recordSuppression(t.db, { email: address, reason: "550 gone", smtpCode: 550, kind: "update" });

    const page = await get("/admin/suppressions", organiser.cookie);
    expect(page.status).toBe(403);
    expect(await page.text()).not.toContain(address);
    expect((await post("/admin/suppressions", { email: address }, organiser.cookie)).status).toBe(403);
    const anonymous = await get("/admin/suppressions");
    expect(anonymous.status).toBe(302);
    expect((await post("/admin/suppressions", { email: address })).status).toBeGreaterThanOrEqual(300);
    expect(await suppressed(address)).toBeDefined();
  });
});
