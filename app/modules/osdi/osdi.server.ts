import { sql, type RawBuilder } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import { isLocale, translator } from "~/i18n/i18n";
import { requireWriteScope, type ApiPrincipal } from "~/modules/api-keys/api-keys.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { FIELD_MESSAGE_PARAMS } from "~/modules/signatures/signatures.fields";
import { signCampaignSchema, type SignField } from "~/modules/signatures/signatures.schema";
import { AppError } from "~/utils/errors.server";
import { recordSignatureBodySchema, type ListQuery, type ModifiedDateFilter } from "./osdi.schema";

/**
 * The OSDI API's use cases. Every read and write is scoped here, in SQL, to the API key's
 * organisation: a petition of another organisation is answered exactly like one that does not
 * exist. Only public campaigns (published or closed) are petitions.
 */

/** The OSDI filter as one condition on `column`; an absent bound is no bound. */
function modifiedWithin(column: RawBuilder<Date>, filter: ModifiedDateFilter) {
  const after = filter.after ?? null;
  const before = filter.before ?? null;
  return sql<boolean>`(${after}::timestamptz IS NULL OR ${column} > ${after}) AND (${before}::timestamptz IS NULL OR ${column} < ${before})`;
}

// ---- petitions ----

function petitionsOf(db: Executor, principal: ApiPrincipal) {
  return db
    .selectFrom("campaigns as c")
    .leftJoin("campaign_counts as n", "n.campaign_id", "c.id")
    .where("c.organisation_id", "=", principal.organisationId)
    .where("c.status", "in", PUBLIC_CAMPAIGN_STATUSES);
}

// A petition changes when its text changes or its count does.
const petitionModified = sql<Date>`greatest(c.updated_at, n.updated_at)`;

/** Adds each petition's targets (name and role, in the campaign's order), in one query for the page. */
async function withTargets<T extends { id: number }>(db: Executor, rows: T[]) {
  const ids = rows.map((r) => r.id);
  const targets = ids.length
    ? await db.selectFrom("campaign_targets").select(["campaign_id", "name", "role"]).where("campaign_id", "in", ids).orderBy("campaign_id").orderBy("position").execute()
    : [];
  return rows.map((row) => ({ ...row, targets: targets.filter((t) => t.campaign_id === row.id).map((t) => ({ name: t.name, role: t.role })) }));
}

function selectPetition(qb: ReturnType<typeof petitionsOf>) {
  return qb.select([
    "c.id",
    "c.slug",
    "c.title",
    "c.summary",
    "c.ask",
    "c.argument_md",
    "c.status",
    "c.locale",
    "c.created_at",
    petitionModified.as("modified_at"),
    sql<number>`coalesce(n.confirmed, 0)`.as("total_signatures"),
  ]);
}

/** A query for one page of rows: what kysely's select builder offers. */
interface RowsQuery<R> {
  limit(limit: number): RowsQuery<R>;
  offset(offset: number): RowsQuery<R>;
  execute(): Promise<R[]>;
}

/** The page `query` asks for of `rows` (already ordered), and the total that `count` counts. */
async function pageOf<R>(query: ListQuery, rows: RowsQuery<R>, count: { executeTakeFirstOrThrow(): Promise<{ n: number }> }) {
  const [items, total] = await Promise.all([
    rows.limit(query.perPage).offset((query.page - 1) * query.perPage).execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

const COUNT = sql<number>`count(*)::int`.as("n");

export type PetitionRow = Awaited<ReturnType<typeof getPetition>>;

export async function listPetitions(db: Executor, principal: ApiPrincipal, query: ListQuery) {
  const base = petitionsOf(db, principal).where(modifiedWithin(petitionModified, query.filter));
  const page = await pageOf(query, selectPetition(base).orderBy("c.id"), base.select(COUNT));
  return { items: await withTargets(db, page.items), total: page.total };
}

export async function getPetition(db: Executor, principal: ApiPrincipal, petitionId: number) {
  const row = await selectPetition(petitionsOf(db, principal)).where("c.id", "=", petitionId).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", `no petition ${petitionId}`);
  const [withT] = await withTargets(db, [row]);
  return withT!;
}

// ---- signatures ----

function signaturesOf(db: Executor) {
  return db
    .selectFrom("signatures as s")
    .leftJoin("campaign_partners as p", "p.id", "s.partner_id")
    .leftJoin("organisations as po", "po.id", "p.organisation_id");
}

function selectSignature(qb: ReturnType<typeof signaturesOf>) {
  return qb.select([
    "s.id",
    "s.campaign_id",
    "s.status",
    "s.comment",
    "s.consent_version",
    "s.consent_purposes",
    "s.ask_version",
    "s.locale",
    "s.source",
    "s.created_at",
    "s.updated_at",
    "s.confirmed_at",
    "po.slug as partner",
    sql<boolean>`s.status = 'confirmed' AND s.erased_at IS NULL AND s.email IS NOT NULL`.as("has_person"),
  ]);
}

export type SignatureRow = Awaited<ReturnType<typeof getSignature>>;

export async function listSignatures(db: Executor, principal: ApiPrincipal, petitionId: number, query: ListQuery) {
  await getPetition(db, principal, petitionId);
  const base = signaturesOf(db).where("s.campaign_id", "=", petitionId).where(modifiedWithin(sql<Date>`s.updated_at`, query.filter));
  return pageOf(query, selectSignature(base).orderBy("s.id"), base.select(COUNT));
}

export async function getSignature(db: Executor, principal: ApiPrincipal, petitionId: number, signatureId: number) {
  await getPetition(db, principal, petitionId);
  const row = await selectSignature(signaturesOf(db)).where("s.campaign_id", "=", petitionId).where("s.id", "=", signatureId).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", `no signature ${signatureId} on petition ${petitionId}`);
  return row;
}

// ---- people: one person per confirmed signature (see docs/decisions/0008) ----

function peopleOf(db: Executor, principal: ApiPrincipal) {
  return db
    .selectFrom("signatures as s")
    .innerJoin("campaigns as c", "c.id", "s.campaign_id")
    .where("c.organisation_id", "=", principal.organisationId)
    .where("c.status", "in", PUBLIC_CAMPAIGN_STATUSES)
    .where("s.status", "=", "confirmed")
    .where("s.erased_at", "is", null)
    .where("s.email", "is not", null);
}

function selectPerson(qb: ReturnType<typeof peopleOf>) {
  return qb.select([
    "s.id",
    "s.campaign_id",
    "s.name",
    "s.email",
    "s.country",
    "s.postal_code",
    "s.locale",
    "s.opt_in",
    "s.unsubscribed_at",
    "s.created_at",
    "s.updated_at",
  ]);
}

export type PersonRow = Awaited<ReturnType<typeof getPerson>>;

export async function listPeople(db: Executor, principal: ApiPrincipal, query: ListQuery) {
  const base = peopleOf(db, principal).where(modifiedWithin(sql<Date>`s.updated_at`, query.filter));
  return pageOf(query, selectPerson(base).orderBy("s.id"), base.select(COUNT));
}

export async function getPerson(db: Executor, principal: ApiPrincipal, personId: number) {
  const row = await selectPerson(peopleOf(db, principal)).where("s.id", "=", personId).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", `no person ${personId}`);
  return row;
}

// ---- the record signature helper ----

/** Where each sign-form field comes from in the OSDI body, for error messages a client can act on. */
const OSDI_FIELD: Record<SignField, string> = {
  name: "person.given_name",
  email: "person.email_addresses[0].address",
  country: "person.postal_addresses[0].country",
  postalCode: "person.postal_addresses[0].postal_code",
  comment: "comments",
  publicName: "person",
  optIn: "person.email_addresses[0].status",
  consent: "person",
};

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Records a signature through the same double opt-in as the sign form: signCampaign with source
 * 'api', a pending signature, a verification email in the outbox. The API client asserts that it
 * collected the person's consent to sign; `status: "subscribed"` on the email address also asserts
 * consent to the host's updates. The caller answers every outcome the same way, so the answer never
 * tells whether the address had signed already.
 */
export async function recordSignature(db: Database, principal: ApiPrincipal, petitionId: number, body: unknown): Promise<void> {
  requireWriteScope(principal);
  const petition = await getPetition(db, principal, petitionId);
  const shape = recordSignatureBodySchema.safeParse(body);
  if (!shape.success) {
    const errors: FieldProblem[] = shape.error.issues.map((i) => ({ field: i.path.join(".") || "body", message: i.message }));
    throw new AppError("INVALID_INPUT", "the body is not a record signature helper request", { errors });
  }
  const { person, comments } = shape.data;
  const email = person.email_addresses.find((e) => e.primary) ?? person.email_addresses[0]!;
  const postal = person.postal_addresses?.find((a) => a.country !== undefined) ?? person.postal_addresses?.[0];
  const raw: Record<string, unknown> = {
    // Banner keeps one name field; see docs/decisions/0008 for why it is never split again.
    name: [person.given_name, person.family_name].map((p) => p?.trim()).filter(Boolean).join(" "),
    email: email.address,
    country: postal?.country ?? "",
    consent: "on",
  };
  if (postal?.postal_code) raw.postalCode = postal.postal_code;
  if (comments?.trim()) raw.comment = comments;
  if (email.status === "subscribed") raw.optIn = "on";
  const input = signCampaignSchema.safeParse(raw);
  if (!input.success) {
    const en = translator("en");
    const errors: FieldProblem[] = input.error.issues.map((i) => {
      const field = i.path[0] as SignField;
      return { field: OSDI_FIELD[field] ?? "body", message: en(i.message as Parameters<typeof en>[0], FIELD_MESSAGE_PARAMS[field]) };
    });
    throw new AppError("INVALID_INPUT", "the person's details are not valid", { errors });
  }
  if (petition.status !== "published") throw new AppError("CAMPAIGN_NOT_OPEN", "this petition is closed");
  const language = person.languages_spoken?.map((l) => l.toLowerCase()).find(isLocale);
  await signCampaign(db, {
    campaignSlug: petition.slug,
    input: input.data,
    locale: language ?? petition.locale,
    source: "api",
  });
}

