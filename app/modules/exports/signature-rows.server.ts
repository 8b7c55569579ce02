import { neutraliseSql } from "./csv";

/**
 * The rows of a full signature export, as SQL for COPY … TO STDOUT (CSV), so that PostgreSQL
 * formats and quotes the file and Node only moves bytes. Only confirmed signatures that were
 * neither invalidated nor erased; a partner's list holds only signers that partner brought who
 * agreed to hear from it.
 */

export const SIGNATURE_EXPORT_HEADER = [
  "name",
  "email",
  "country",
  "postal_code",
  "comment",
  "confirmed_at",
  "language",
  "ask_version",
  "partner",
  "consent_version",
  "consent_purposes",
] as const;

function assertId(value: number | null): void {
  // COPY takes no bind parameters, so the ids are written into the statement: integers only.
  if (value !== null && !(Number.isSafeInteger(value) && value > 0)) throw new Error(`not an id: ${value}`);
}

/** The WHERE clause shared by the count and the export, so both always agree. */
export function signatureExportWhere(campaignId: number, partnerId: number | null): string {
  assertId(campaignId);
  assertId(partnerId);
  const partner = partnerId === null ? "" : ` AND s.partner_id = ${partnerId} AND s.opt_in_partner`;
  return `s.campaign_id = ${campaignId} AND s.status = 'confirmed' AND s.erased_at IS NULL${partner}`;
}

export function signatureExportSelect(campaignId: number, partnerId: number | null): string {
  const safe = neutraliseSql;
  return `SELECT ${safe("s.name")}, ${safe("s.email")}, s.country, ${safe("s.postal_code")}, ${safe("s.comment")},
      to_char(s.confirmed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), s.locale, s.ask_version,
      ${safe("o.name")}, ${safe("s.consent_version")}, array_to_string(s.consent_purposes, ' ')
    FROM signatures s
    LEFT JOIN campaign_partners p ON p.id = s.partner_id
    LEFT JOIN organisations o ON o.id = p.organisation_id
    WHERE ${signatureExportWhere(campaignId, partnerId)}
    ORDER BY s.id`;
}

export function signatureExportCopy(campaignId: number, partnerId: number | null): string {
  return `COPY (${signatureExportSelect(campaignId, partnerId)}) TO STDOUT WITH (FORMAT csv)`;
}

export function signatureExportCount(campaignId: number, partnerId: number | null): string {
  return `SELECT count(*)::int AS n FROM signatures s WHERE ${signatureExportWhere(campaignId, partnerId)}`;
}
