import { renderMarkdown } from "~/utils/markdown.server";
import type { ListQuery } from "./osdi.schema";
import type { PersonRow, PetitionRow, SignatureRow } from "./osdi.server";

/**
 * HAL+JSON representations of Banner's rows as OSDI v1.2 resources. Field names are OSDI's;
 * what OSDI has no field for is under Banner's own curie, `banner:` (documented at
 * /api/osdi/v1/docs). Links are absolute, built from APP_URL.
 */

export const OSDI_CONTENT_TYPE = "application/hal+json; charset=utf-8";
export const ORIGIN_SYSTEM = "Banner";
const OSDI_DOCS = "https://opensupporter.github.io/osdi-docs/{rel}";

type Link = { href: string };

export interface OsdiUrls {
  /** e.g. https://banner.example/api/osdi/v1 */
  api: string;
  /** e.g. https://banner.example */
  site: string;
}

export function curies(urls: OsdiUrls) {
  return [
    { name: "osdi", href: OSDI_DOCS, templated: true },
    { name: "banner", href: `${urls.api}/docs#{rel}`, templated: true },
  ];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const identifier = (id: number) => [`banner:${id}`];
const petitionHref = (urls: OsdiUrls, id: number) => `${urls.api}/petitions/${id}`;

export function entryPoint(urls: OsdiUrls) {
  return {
    motd: "Banner's OSDI API: petitions, their signatures, and the people who confirmed them.",
    vendor_name: "Banner",
    product_name: "Banner",
    osdi_version: "1.2",
    max_pagesize: 100,
    namespace: "banner",
    _links: {
      curies: curies(urls),
      self: { href: urls.api },
      "osdi:petitions": { href: `${urls.api}/petitions` },
      "osdi:people": { href: `${urls.api}/people` },
    },
  };
}

export function petition(urls: OsdiUrls, row: PetitionRow) {
  const self = petitionHref(urls, row.id);
  return {
    identifiers: identifier(row.id),
    origin_system: ORIGIN_SYSTEM,
    created_date: iso(row.created_at),
    modified_date: iso(row.modified_at),
    name: row.slug,
    title: row.title,
    // The argument, rendered by the same Markdown renderer as the campaign page (raw HTML off).
    description: renderMarkdown(row.argument_md),
    summary: row.summary,
    petition_text: row.ask,
    browser_url: `${urls.site}/campaigns/${row.slug}`,
    total_signatures: row.total_signatures,
    target: row.targets.map((t) => ({ name: t.name, title: t.role })),
    "banner:status": row.status,
    "banner:language": row.locale,
    _links: {
      self: { href: self },
      "osdi:signatures": { href: `${self}/signatures` },
      "osdi:record_signature_helper": { href: `${self}/signatures` },
    },
  };
}

export function signature(urls: OsdiUrls, row: SignatureRow) {
  const petitionSelf = petitionHref(urls, row.campaign_id);
  const links: { self: Link } & Record<string, Link> = {
    self: { href: `${petitionSelf}/signatures/${row.id}` },
    "osdi:petition": { href: petitionSelf },
  };
  // Only a confirmed signature with its personal data intact has a person behind it.
  if (row.has_person) links["osdi:person"] = { href: `${urls.api}/people/${row.id}` };
  return {
    identifiers: identifier(row.id),
    origin_system: ORIGIN_SYSTEM,
    created_date: iso(row.created_at),
    modified_date: iso(row.updated_at),
    action_date: iso(row.created_at),
    ...(row.has_person && row.comment ? { comments: row.comment } : {}),
    "banner:status": row.status,
    "banner:confirmed_date": iso(row.confirmed_at),
    "banner:consent_version": row.consent_version,
    "banner:consent_purposes": row.consent_purposes,
    "banner:ask_version": row.ask_version,
    "banner:partner": row.partner,
    "banner:language": row.locale,
    "banner:source": row.source,
    _links: links,
  };
}

export function person(urls: OsdiUrls, row: PersonRow) {
  const subscribed = row.opt_in && row.unsubscribed_at === null;
  return {
    identifiers: identifier(row.id),
    origin_system: ORIGIN_SYSTEM,
    created_date: iso(row.created_at),
    modified_date: iso(row.updated_at),
    // Banner asks for one name and never guesses where a family name starts (docs/decisions/0008).
    given_name: row.name ?? "",
    email_addresses: [{ address: row.email, primary: true, status: subscribed ? "subscribed" : "unsubscribed" }],
    postal_addresses: [{ primary: true, country: row.country, ...(row.postal_code ? { postal_code: row.postal_code } : {}) }],
    languages_spoken: [row.locale],
    _links: {
      self: { href: `${urls.api}/people/${row.id}` },
      "banner:signature": { href: `${petitionHref(urls, row.campaign_id)}/signatures/${row.id}` },
    },
  };
}

/**
 * An OSDI collection page: totals, the page's items embedded and linked, and first/last/prev/next
 * links that keep the client's per_page and filter.
 */
export function collection<T>(
  urls: OsdiUrls,
  opts: { path: string; rel: string; query: ListQuery; rawFilter: string | null; total: number; items: T[]; render: (item: T) => { _links: { self: Link } } },
) {
  const { query, total } = opts;
  const totalPages = Math.ceil(total / query.perPage);
  const pageHref = (page: number) => {
    const params = new URLSearchParams({ page: String(page), per_page: String(query.perPage) });
    if (opts.rawFilter !== null) params.set("filter", opts.rawFilter);
    return { href: `${urls.api}${opts.path}?${params}` };
  };
  const embedded = opts.items.map(opts.render);
  const links: Record<string, unknown> = {
    self: pageHref(query.page),
    first: pageHref(1),
    last: pageHref(Math.max(1, totalPages)),
    curies: curies(urls),
    [opts.rel]: embedded.map((item) => item._links.self),
  };
  if (query.page > 1) links.prev = pageHref(Math.min(query.page - 1, Math.max(1, totalPages)));
  if (query.page < totalPages) links.next = pageHref(query.page + 1);
  return { total_pages: totalPages, per_page: query.perPage, page: query.page, total_records: total, _links: links, _embedded: { [opts.rel]: embedded } };
}
