import { z } from "zod";
import { AppError } from "~/utils/errors.server";

export const DEFAULT_PER_PAGE = 25;
export const MAX_PER_PAGE = 100;

/** `modified_date gt '…'` and/or `modified_date lt '…'`: both bounds are exclusive. */
export interface ModifiedDateFilter {
  after?: Date;
  before?: Date;
}

export interface ListQuery {
  page: number;
  perPage: number;
  filter: ModifiedDateFilter;
}

const badRequest = (detail: string): never => {
  throw new AppError("INVALID_INPUT", detail);
};

/** One query parameter, at most once: a repeated parameter is ambiguous, so it is refused. */
function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) badRequest(`give "${name}" at most once`);
  return all[0];
}

function positiveInt(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) badRequest(`"${name}" must be a whole number from 1${max < Infinity ? ` to ${max}` : ""}`);
  const n = Number(value);
  if (n > max) badRequest(`"${name}" can be at most ${max}`);
  return n;
}

const FILTER_DATE = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const CLAUSE = /^modified_date\s+(gt|lt)\s+'([^']*)'$/;

/**
 * The OSDI filter, parsed strictly: `modified_date gt 'ISO date or date-time'`, or `lt`, or both
 * joined by `and`. Anything else (another field, another operator, a bad date) is refused rather
 * than ignored, so a client never mistakes an unfiltered answer for a filtered one.
 */
export function parseFilter(value: string | undefined): ModifiedDateFilter {
  if (value === undefined) return {};
  const text = value.trim();
  if (text === "" || text.length > 200) return badRequest(`"filter" must look like modified_date gt '2026-01-01T00:00:00Z'`);
  const filter: ModifiedDateFilter = {};
  for (const clause of text.split(/\s+and\s+/)) {
    const match = CLAUSE.exec(clause.trim());
    if (!match) return badRequest(`unsupported filter "${clause}": only modified_date gt|lt 'ISO 8601 date' is supported`);
    const [, op, raw] = match;
    if (!FILTER_DATE.safeParse(raw).success) return badRequest(`"${raw}" is not an ISO 8601 date or date-time with a time zone`);
    const date = new Date(raw!);
    if (Number.isNaN(date.getTime())) return badRequest(`"${raw}" is not a valid date`);
    const bound = op === "gt" ? "after" : "before";
    if (filter[bound]) return badRequest(`the filter gives modified_date ${op} twice`);
    filter[bound] = date;
  }
  return filter;
}

/** `page` (1-based), `per_page` (1–100, default 25) and `filter` from a collection's URL. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  return {
    page: positiveInt(single(params, "page"), "page", 1, 1_000_000),
    perPage: positiveInt(single(params, "per_page"), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    filter: parseFilter(single(params, "filter")),
  };
}

const emailAddress = z.looseObject({
  address: z.string(),
  primary: z.boolean().optional(),
  status: z.string().max(40).optional(),
});

const postalAddress = z.looseObject({
  country: z.string().max(10).optional(),
  postal_code: z.string().max(40).optional(),
});

/**
 * The OSDI record signature helper's body, as far as Banner uses it. The shape is checked here;
 * the values then go through the sign form's own schema, so the API accepts exactly what the
 * form accepts. Unknown OSDI fields are allowed and ignored.
 */
export const recordSignatureBodySchema = z.looseObject({
  person: z.looseObject({
    given_name: z.string().max(200).optional(),
    family_name: z.string().max(200).optional(),
    email_addresses: z.array(emailAddress).min(1).max(10),
    postal_addresses: z.array(postalAddress).max(10).optional(),
    languages_spoken: z.array(z.string().max(20)).max(10).optional(),
  }),
  comments: z.string().max(5000).optional(),
  add_tags: z.array(z.string().max(200)).max(50).optional(),
});
export type RecordSignatureBody = z.output<typeof recordSignatureBodySchema>;
