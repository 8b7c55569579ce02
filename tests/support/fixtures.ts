import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import type { CampaignStatus } from "~/db/schema";
import type { Actor } from "~/modules/access/actor.server";
import type { CampaignInput } from "~/modules/campaigns/lifecycle.schema";
import type { SignCampaignInput } from "~/modules/signatures/signatures.schema";
import { passwordHashOf } from "./passwords";

export async function createCampaign(
  db: Database,
  overrides: Partial<{ slug: string; title: string; goal: number; status: CampaignStatus; argument_md: string }> = {},
) {
  const slug = overrides.slug ?? `test-${randomBytes(4).toString("hex")}`;
  return db
    .insertInto("campaigns")
    .values({
      slug,
      title: overrides.title ?? `Test campaign ${slug}`,
      summary: "A campaign made by a test.",
      ask: "Do the right thing.",
      addressed_to: "Whoever decides",
      argument_md: overrides.argument_md ?? "Because **it matters**.",
      goal: overrides.goal ?? 1000,
      status: overrides.status ?? "published",
      locale: "en",
      published_at: sql`now()`,
    })
    .returning(["id", "slug", "title"])
    .executeTakeFirstOrThrow();
}

export function signer(overrides: Partial<SignCampaignInput> = {}): SignCampaignInput {
  return {
    name: "Test Signer",
    email: `signer-${randomBytes(6).toString("hex")}@example.org`,
    country: "PK",
    postalCode: null,
    comment: null,
    publicName: false,
    optIn: false,
    consent: "on",
    ...overrides,
  };
}

/** Waits until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, label = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}${last ? `: ${String(last)}` : ""}`);
}

/**
 * A new user who is the owner of a new organisation that owns `campaignId` (fixtures' campaigns
 * belong to nobody): the actor that organisers' use cases accept for that campaign.
 */
export async function organiserOf(db: Database, campaignId: number): Promise<{ id: number; email: string; role: "user" | "admin" }> {
  const label = randomBytes(4).toString("hex");
  const email = `organiser-${label}@example.org`;
  const user = await db
    .insertInto("users")
    .values({ email, email_normalized: email, display_name: "Test Organiser", password_hash: "not-a-real-hash", email_confirmed_at: sql`now()` })
    .returning(["id", "email", "role"])
    .executeTakeFirstOrThrow();
  const org = await db.insertInto("organisations").values({ name: `Organisation ${label}`, slug: `org-${label}` }).returning("id").executeTakeFirstOrThrow();
  await db.insertInto("memberships").values({ organisation_id: org.id, user_id: user.id, role: "owner" }).execute();
  await db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaignId).execute();
  return user;
}

/**
 * A confirmed account, `label` starting its address (lower case) and naming it unless
 * `displayName` does. With `password` it logs in through /login like any account (the hash is
 * made once per password per test process: passwordHashOf); without one it has no usable password,
 * for tests that act through the domain modules.
 */
export async function createTestUser(
  db: Database,
  role: "user" | "admin" = "user",
  label: string = role,
  { password, displayName = label }: { password?: string; displayName?: string } = {},
): Promise<Actor> {
  const email = `${label}-${randomBytes(6).toString("hex")}@example.org`;
  const passwordHash = password === undefined ? "scrypt$x" : await passwordHashOf(password);
  return db
    .insertInto("users")
    .values({ email, email_normalized: email, display_name: displayName, password_hash: passwordHash, email_confirmed_at: new Date(), role })
    .returning(["id", "email", "role"])
    .executeTakeFirstOrThrow();
}

/** A valid campaign form for createCampaign/updateCampaign, with a fresh slug. */
export function campaignInput(overrides: Partial<CampaignInput> = {}): CampaignInput {
  return {
    slug: `campaign-${randomBytes(4).toString("hex")}`,
    title: "Convene the foreign ministers",
    summary: "A test campaign.",
    ask: "Convene the CFM on Kashmir.",
    addressedTo: "The OIC",
    argumentMd: "Because it matters.",
    goal: 1000,
    deadline: null,
    targets: [{ name: "OIC Secretary-General", role: "Secretary-General", country: "SA" }],
    ...overrides,
  };
}
