import { disposableEmailBlocklistSet } from "disposable-email-domains-js";

// The package's own isDisposableEmailDomain() rebuilds a Set of ~100k domains on every call
// (milliseconds each); build it once per process.
let blocklist: Set<string> | undefined;

/**
 * Whether mail to this domain goes to a throwaway inbox, per the disposable-email-domains list.
 * Subdomains of a listed domain count too (anything.mailinator.com).
 */
export function isDisposableDomain(domain: string): boolean {
  blocklist ??= disposableEmailBlocklistSet();
  const labels = domain.trim().toLowerCase().split(".");
  for (let i = 0; i < labels.length - 1; i++) if (blocklist.has(labels.slice(i).join("."))) return true;
  return false;
}

// Second-level labels under which country domains register names (example.co.uk, example.com.pk).
const COUNTRY_SECOND_LEVELS = new Set(["ac", "co", "com", "edu", "gov", "gob", "mil", "net", "nic", "or", "org", "ne", "go", "sch", "web", "biz", "info", "gen"]);

/**
 * The name someone registered, without subdomains: mail.example.org → example.org,
 * a.b.example.com.pk → example.com.pk. Per-domain limits count by it, so made-up subdomains of one
 * catch-all domain share one limit. (A heuristic: the full public suffix list is not installed.)
 */
export function registrableDomain(domain: string): string {
  const labels = domain.trim().toLowerCase().replace(/\.$/, "").split(".");
  if (labels.length <= 2) return labels.join(".");
  const tld = labels.at(-1)!;
  const second = labels.at(-2)!;
  const keep = tld.length === 2 && COUNTRY_SECOND_LEVELS.has(second) ? 3 : 2;
  return labels.slice(-keep).join(".");
}
