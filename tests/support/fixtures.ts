import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import type { CampaignStatus } from "~/db/schema";
import type { SignPetitionInput } from "~/modules/signatures/signatures.schema";

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

export function signer(overrides: Partial<SignPetitionInput> = {}): SignPetitionInput {
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
