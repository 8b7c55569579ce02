/**
 * The admin console over real HTTP (the built server, its own database and Redis prefix): who may
 * enter, the rules for roles and disabling, the audit log, and the BullMQ queues page.
 */
import { randomBytes } from "node:crypto";
import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "~/modules/audit/audit.server";
import { changeUser } from "~/modules/admin/users.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, createTestUser, eventually } from "../support/fixtures";
import { fieldsOfPostForm } from "../support/html-forms";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let t: TestDatabase;
let web: RunningProcess;
const prefix = uniquePrefix("admin");
const PASSWORD = "a long enough passphrase";

beforeAll(async () => {
  t = await createTestDatabase("admin");
  web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix });
});
afterAll(async () => {
  await web?.stop();
  await t?.drop();
  await deletePrefix(prefix);
});

const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0]!;
const get = (path: string, cookie = "") => fetch(`${web.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
const post = (path: string, fields: Record<string, string>, cookie = "") => postForm(`${web.url}${path}`, fields, { headers: { Cookie: cookie } });

interface TestUser {
  id: number;
  email: string;
  role: "user" | "admin";
}

/** A confirmed account, straight in the database. */
async function makeUser(role: "user" | "admin", label: string = role): Promise<TestUser> {
  return createTestUser(t.db, role, label, { password: PASSWORD });
}

async function logIn(user: TestUser): Promise<string> {
  const res = await post("/login", { email: user.email, password: PASSWORD });
  expect(res.status, `log in ${user.email}`).toBe(303);
  return cookieOf(res);
}

const roleOf = async (id: number) => (await t.db.selectFrom("users").select(["role", "disabled_at"]).where("id", "=", id).executeTakeFirstOrThrow());
const auditOf = (action: string) => t.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

const PAGES = ["/admin", "/admin/users", "/admin/organisations", "/admin/reviews", "/admin/audit", "/admin/queues", "/admin/privacy"];

describe("the admin console", () => {
  it("is closed to anonymous visitors (log-in redirect) and to signed-in non-admins (403), pages and POSTs alike", async () => {
    const organiser = await makeUser("user", "organiser");
    const target = await makeUser("user", "target");
    const cookie = await logIn(organiser);
    for (const page of PAGES) {
      const anonymous = await get(page);
      expect(anonymous.status, page).toBe(302);
      expect(anonymous.headers.get("location"), page).toMatch(/^\/login\?next=/);
      expect((await get(page, cookie)).status, page).toBe(403);
    }
    const posts: [string, Record<string, string>][] = [
      ["/admin/users", { userId: String(target.id), change: "promote" }],
      ["/admin/users", { userId: String(organiser.id), change: "promote" }],
      ["/admin/users", { userId: String(target.id), change: "disable" }],
      ["/admin/queues", { queue: "email", jobId: "1" }],
      ["/admin/privacy", { intent: "erase", email: "someone@example.org" }],
      ["/admin/reviews", { campaignId: "1", decision: "publish" }],
    ];
    for (const [path, fields] of posts) expect((await post(path, fields, cookie)).status, `${path} ${JSON.stringify(fields)}`).toBe(403);
    expect(await roleOf(organiser.id)).toMatchObject({ role: "user", disabled_at: null });
    expect(await roleOf(target.id)).toMatchObject({ role: "user", disabled_at: null });
    expect(await t.db.selectFrom("audit_log").select("id").execute()).toEqual([]);
  });

  it("opens every page to an admin, with a nav linking every section", async () => {
    const admin = await makeUser("admin");
    const cookie = await logIn(admin);
    for (const page of PAGES) expect((await get(page, cookie)).status, page).toBe(200);
    const home = await (await get("/admin", cookie)).text();
    for (const section of ["/admin/users", "/admin/organisations", "/admin/reviews", "/admin/exports", "/admin/fraud", "/admin/privacy", "/admin/audit", "/admin/queues"]) {
      expect(home).toContain(`href="${section}"`);
    }
    const urdu = await (await get("/admin/users?lang=ur", cookie)).text();
    expect(urdu).toContain('dir="rtl"');
    expect(urdu).toContain("صارفین اور کردار");
  });

  it("promotes and demotes by POST, audit-logged; nobody changes their own account", async () => {
    const admin = await makeUser("admin");
    const other = await makeUser("user", "promoted");
    const cookie = await logIn(admin);

    // Promote as the list's button posts it.
    const list = await (await get(`/admin/users?q=${encodeURIComponent(other.email)}`, cookie)).text();
    const promote = fieldsOfPostForm(list, `name="userId" value="${other.id}"`);
    expect(promote).toEqual({ userId: String(other.id), change: "promote" });
    expect((await post("/admin/users", promote, cookie)).status).toBe(200);
    expect((await roleOf(other.id)).role).toBe("admin");
    expect((await post("/admin/users", { userId: String(other.id), change: "demote" }, cookie)).status).toBe(200);
    expect((await roleOf(other.id)).role).toBe("user");
    const promotions = (await auditOf("user.promote")).filter((e) => e.subject === other.email);
    const demotions = (await auditOf("user.demote")).filter((e) => e.subject === other.email);
    expect(promotions).toHaveLength(1);
    expect(demotions).toHaveLength(1);
    expect(promotions[0]).toMatchObject({ actor_user_id: admin.id, actor_label: admin.email });

    for (const change of ["demote", "disable"]) {
      const res = await post("/admin/users", { userId: String(admin.id), change }, cookie);
      expect(res.status, change).toBe(409);
      expect(await res.text()).toContain("You cannot change your own role or account here");
    }
    expect(await roleOf(admin.id)).toMatchObject({ role: "admin", disabled_at: null });

    // Bad input: a clear 400, nothing changes.
    for (const fields of [{ userId: "abc", change: "promote" }, { userId: String(other.id), change: "delete" }, {}]) {
      expect((await post("/admin/users", fields as Record<string, string>, cookie)).status).toBe(400);
    }
    expect((await post("/admin/users", { userId: "999999", change: "promote" }, cookie)).status).toBe(404);
    expect((await roleOf(other.id)).role).toBe("user");
  });

  it("disabling ends the user's sessions and stops them logging in; enabling lets them back", async () => {
    const admin = await makeUser("admin");
    const victim = await makeUser("user", "disabled");
    const adminCookie = await logIn(admin);
    const victimCookie = await logIn(victim);
    expect((await get("/dashboard", victimCookie)).status).toBe(200);

    expect((await post("/admin/users", { userId: String(victim.id), change: "disable" }, adminCookie)).status).toBe(200);
    expect((await get("/dashboard", victimCookie)).status).toBe(302); // the open session is gone
    const open = await t.db.selectFrom("sessions").select("id").where("user_id", "=", victim.id).where("revoked_at", "is", null).execute();
    expect(open).toEqual([]);
    const refused = await post("/login", { email: victim.email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect((await auditOf("user.disable")).map((e) => e.subject)).toContain(victim.email);

    expect((await post("/admin/users", { userId: String(victim.id), change: "enable" }, adminCookie)).status).toBe(200);
    await logIn(victim);
    expect((await auditOf("user.enable")).map((e) => e.subject)).toContain(victim.email);
  });

  it("never leaves the site without an active admin: the last one cannot remove itself, nor can two admins demote each other at once", async () => {
    const db = t.db;
    await db.updateTable("users").set({ role: "user" }).where("role", "=", "admin").execute();
    const only = await makeUser("admin", "only");
    for (const change of ["demote", "disable"] as const) {
      await expect(changeUser(db, only, { userId: only.id, change })).rejects.toMatchObject({ code: "SELF_CHANGE" });
    }
    expect(await roleOf(only.id)).toMatchObject({ role: "admin", disabled_at: null });

    // Two admins only, so each demotion would remove the other's last peer.
    await db.updateTable("users").set({ role: "user" }).where("role", "=", "admin").execute();
    const a = await makeUser("admin", "a");
    const b = await makeUser("admin", "b");
    const results = await Promise.allSettled([
      changeUser(db, a, { userId: b.id, change: "demote" }),
      changeUser(db, b, { userId: a.id, change: "demote" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    // The second, under the lock, finds it is no longer an admin.
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason.code).toBe("FORBIDDEN");
    const admins = await db.selectFrom("users").select("id").where("role", "=", "admin").where("disabled_at", "is", null).execute();
    expect(admins).toHaveLength(1);

    // The remaining admin, seen through a stale session that still says "admin", cannot be removed either.
    const [survivor] = admins;
    const demoted = survivor!.id === a.id ? b : a;
    await expect(changeUser(db, demoted, { userId: survivor!.id, change: "disable" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await roleOf(survivor!.id)).toMatchObject({ role: "admin", disabled_at: null });
  });

  it("lists organisations with member counts and campaigns", async () => {
    const admin = await makeUser("admin");
    const owner = await makeUser("user", "owner");
    const member = await makeUser("user", "member");
    const slug = `org-${randomBytes(3).toString("hex")}`;
    const org = await t.db.insertInto("organisations").values({ slug, name: "Kashmir Solidarity Network" }).returning("id").executeTakeFirstOrThrow();
    await t.db.insertInto("memberships").values([
      { organisation_id: org.id, user_id: owner.id, role: "owner" },
      { organisation_id: org.id, user_id: member.id, role: "organiser" },
    ]).execute();
    const campaign = await createCampaign(t.db, { title: "Convene the CFM" });
    await t.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();

    const html = await (await get("/admin/organisations", await logIn(admin))).text();
    const row = html.slice(html.indexOf(`data-org="${slug}"`), html.indexOf("</tr>", html.indexOf(`data-org="${slug}"`)));
    expect(row).toContain("Kashmir Solidarity Network");
    expect(row).toMatch(/data-testid="members">2</);
    expect(row).toContain("Convene the CFM");
    expect(row).toContain("Published");
  });

  it("shows the audit log filtered by actor, action and campaign, a page at a time", async () => {
    const admin = await makeUser("admin");
    const cookie = await logIn(admin);
    const campaign = await createCampaign(t.db);
    const other = await makeUser("user", "other-actor");
    for (let i = 0; i < 55; i++) {
      await recordAudit(t.db, { actorUserId: admin.id, actorLabel: admin.email, action: "export.counts", campaignId: campaign.id, subject: `export ${i}` });
    }
    await recordAudit(t.db, { actorUserId: other.id, actorLabel: other.email, action: "signatures.invalidate", subject: "entry-of-other" });

    const byCampaign = await (await get(`/admin/audit?campaign=${campaign.slug}`, cookie)).text();
    expect(byCampaign.match(/data-audit-id=/g)).toHaveLength(50);
    expect(byCampaign).toContain("export 54");
    expect(byCampaign).not.toContain("export 4<");
    expect(byCampaign).not.toContain("entry-of-other");
    const older = byCampaign.match(/href="\/admin\/audit(\?[^"]*before=\d+[^"]*)"/)![1]!.replace(/&amp;/g, "&");
    expect(older).toContain(`campaign=${campaign.slug}`);
    const page2 = await (await get(`/admin/audit${older}`, cookie)).text();
    expect(page2.match(/data-audit-id=/g)).toHaveLength(5);
    expect(page2).toContain("export 0<");

    const byActor = await (await get(`/admin/audit?actor=${encodeURIComponent(other.email)}`, cookie)).text();
    expect(byActor.match(/data-audit-id=/g)).toHaveLength(1);
    expect(byActor).toContain("signatures.invalidate");
    const byAction = await (await get("/admin/audit?action=signatures.", cookie)).text();
    expect(byAction).toContain("signatures.invalidate");
    expect(byAction).not.toContain("export.counts");
    const nobody = await (await get("/admin/audit?actor=nobody%40example.org", cookie)).text();
    expect(nobody).not.toContain("data-audit-id=");
    // A malformed filter is dropped, never a 500.
    expect((await get("/admin/audit?before=abc&action=%3Cb%3E", cookie)).status).toBe(200);
  });

  it("lists a failed job with its reason on the queues page, and a POST retry puts it back in its queue", async () => {
    const admin = await makeUser("admin");
    const cookie = await logIn(admin);
    const connection = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue("maintenance", { connection, prefix });
    try {
      const job = await queue.add("retention.apply", {}, { attempts: 1, jobId: "admin-test-job" });
      // A worker of the test's own that fails the job once, then goes away.
      const failing = new Worker(
        "maintenance",
        async (j: Job) => {
          throw new Error(`disk on fire for ${j.id}`);
        },
        { connection: new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null }), prefix },
      );
      await eventually(async () => (await queue.getJobState(job.id!)) === "failed", 10_000, "the job to fail");
      await failing.close();
      await failing.disconnect();

      const html = await (await get("/admin/queues", cookie)).text();
      for (const name of ["email", "counts", "maintenance", "updates"]) expect(html).toContain(`data-queue="${name}"`);
      const maintenanceRow = html.slice(html.indexOf('data-queue="maintenance"'), html.indexOf("</tr>", html.indexOf('data-queue="maintenance"')));
      expect(maintenanceRow).toMatch(/data-state="failed">1</);
      expect(html).toContain('data-job-id="admin-test-job"');
      expect(html).toContain("disk on fire for admin-test-job");

      const retried = await post("/admin/queues", { queue: "maintenance", jobId: "admin-test-job" }, cookie);
      expect(retried.status).toBe(200);
      expect(await queue.getJobState("admin-test-job")).toBe("waiting");
      expect((await auditOf("queue.retry")).map((e) => e.subject)).toContain("maintenance/admin-test-job");

      // Retrying a job that is not failed (any more) is a clear 404; a bad queue name a 400.
      expect((await post("/admin/queues", { queue: "maintenance", jobId: "admin-test-job" }, cookie)).status).toBe(404);
      expect((await post("/admin/queues", { queue: "nope", jobId: "admin-test-job" }, cookie)).status).toBe(400);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
