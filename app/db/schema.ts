import type { ColumnType, Generated } from "kysely";

/** A timestamp column: read as Date, written as Date or SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export const CAMPAIGN_STATUSES = ["draft", "in_review", "published", "closed"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** pending: waiting for the email link; confirmed: counts; invalidated: fraud, never counts;
 *  disowned: the inbox owner said "this wasn't me", personal data erased, never counts. */
export const SIGNATURE_STATUSES = ["pending", "confirmed", "invalidated", "disowned"] as const;
export type SignatureStatus = (typeof SIGNATURE_STATUSES)[number];

export interface CampaignsTable {
  id: Generated<number>;
  slug: string;
  title: string;
  summary: string;
  ask: string;
  addressed_to: string;
  argument_md: string;
  goal: number;
  status: CampaignStatus;
  locale: string;
  /** Which version of the ask is current; translations count only when written for it. */
  ask_version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
  published_at: Timestamp | null;
  closed_at: Timestamp | null;
  organisation_id: number | null;
  created_by: number | null;
  deadline_at: Timestamp | null;
  submitted_at: Timestamp | null;
  reviewed_at: Timestamp | null;
  reviewed_by: number | null;
  review_note: string | null;
}

export interface CampaignTargetsTable {
  id: Generated<number>;
  campaign_id: number;
  position: number;
  name: string;
  role: string;
  country: string | null;
}

/** A campaign's title, ask and argument in one more language (campaigns.locale holds the default). */
export interface CampaignTranslationsTable {
  campaign_id: number;
  locale: string;
  title: string;
  summary: string;
  ask: string;
  addressed_to: string;
  argument_md: string;
  ask_version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface SignaturesTable {
  id: Generated<number>;
  campaign_id: number;
  status: Generated<SignatureStatus>;
  name: string | null;
  email: string | null;
  email_normalized: string | null;
  country: string;
  postal_code: string | null;
  comment: string | null;
  public_name: boolean;
  /** an organiser hid the comment from the campaign page (it stays in exports) */
  comment_hidden_at: Timestamp | null;
  comment_hidden_by: number | null;
  opt_in: boolean;
  consent_version: string;
  locale: string;
  ip_address: string | null;
  user_agent: string | null;
  created_at: CreatedAt;
  confirmation_requested_at: Generated<Date>;
  confirmed_at: Timestamp | null;
  disowned_at: Timestamp | null;
  erased_at: Timestamp | null;
  unsubscribed_at: Timestamp | null;
  /** the version of the ask (and addressees) this signature was given to */
  ask_version: Generated<number>;
  /** the accepted partner whose share link brought the signer, if any */
  partner_id: number | null;
  /** the signer also agreed to updates from that partner */
  opt_in_partner: Generated<boolean>;
  /** what the signer consented to: always "petition"; "updates:host", "updates:partner" as chosen */
  consent_purposes: Generated<string[]>;
  /** this signer's own code for share links (?ref=) */
  referral_code: string | null;
  /** the signature whose share link brought this signer */
  referred_by: number | null;
  /** where that share link was posted (?via=whatsapp, ...) */
  referral_channel: string | null;
  source: Generated<SignatureSource>;
  /** moved by a trigger on every change to the row: the OSDI API's modified_date */
  updated_at: Generated<Date>;
  invalidated_at: Timestamp | null;
  /** why a signature is invalidated: an admin's invalidation, or a repeat of a canonical address */
  invalidation_reason: InvalidationReason | null;
  /** why the bot screen found the form suspicious (stored anyway, shown in the fraud view) */
  screen_flag: ScreenFlag | null;
}

/** "fast-form": sent sooner after the page was rendered than SIGN_MIN_FILL_SECONDS */
export type ScreenFlag = "fast-form";

export const INVALIDATION_REASONS = ["duplicate-email", "admin"] as const;
export type InvalidationReason = (typeof INVALIDATION_REASONS)[number];

/** An admin's batch invalidation of a campaign's signatures; undone_at is set once it was undone. */
export interface InvalidationsTable {
  id: Generated<number>;
  campaign_id: number;
  actor_user_id: number | null;
  actor_label: string;
  criteria: ColumnType<Record<string, unknown>, string, never>;
  reason: string | null;
  signature_count: Generated<number>;
  confirmed_count: Generated<number>;
  created_at: CreatedAt;
  undone_at: Timestamp | null;
  undone_by: number | null;
}

/** The signatures one invalidation took, with the state an undo gives back. */
export interface InvalidationSignaturesTable {
  invalidation_id: number;
  signature_id: number;
  previous_status: "pending" | "confirmed";
}

export const SIGNATURE_SOURCES = ["web", "widget", "api"] as const;
export type SignatureSource = (typeof SIGNATURE_SOURCES)[number];

export const PARTNER_STATUSES = ["invited", "accepted", "declined", "removed"] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** An organisation joining another's campaign; its share link records the signatures it brings. */
export interface CampaignPartnersTable {
  id: Generated<number>;
  campaign_id: number;
  organisation_id: number;
  status: Generated<PartnerStatus>;
  share_code: string;
  invited_by: number | null;
  created_at: CreatedAt;
  responded_at: Timestamp | null;
}

export interface CampaignAskVersionsTable {
  campaign_id: number;
  version: number;
  ask: string;
  addressed_to: string;
  targets: ColumnType<{ name: string; role: string; country: string | null }[], string, string>;
  created_at: CreatedAt;
}

/** What a decision-maker answered; one per target, recording again replaces it. */
export interface CampaignTargetResponsesTable {
  target_id: number;
  campaign_id: number;
  /** a calendar day, read as "YYYY-MM-DD" */
  responded_on: string;
  summary: string;
  link: string | null;
  recorded_by: number | null;
  updated_at: Generated<Date>;
}

export const MILESTONE_PERCENTS = [25, 50, 75, 100] as const;

/** A share of the goal a campaign's confirmed count reached; the row guards its one email. */
export interface CampaignMilestonesTable {
  campaign_id: number;
  percent: number;
  /** the confirmed count when it was reached */
  confirmed: number;
  reached_at: Generated<Date>;
}

/** Who did what to what, when: exports, invalidations, erasures, role changes. Append only. */
export interface AuditLogTable {
  id: Generated<number>;
  created_at: CreatedAt;
  actor_user_id: number | null;
  /** the actor as they were named at the time ("admin@example.org", "api-key 12", "system") */
  actor_label: string;
  action: string;
  campaign_id: number | null;
  organisation_id: number | null;
  subject: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
  row_count: number | null;
}

export const EXPORT_KINDS = ["signatures", "partner", "delivery"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_STATUSES = ["queued", "running", "done", "failed"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** A signature file written by the worker; downloadable through an expiring token until expires_at. */
export interface ExportsTable {
  id: Generated<number>;
  kind: ExportKind;
  campaign_id: number;
  partner_id: number | null;
  target_id: number | null;
  status: Generated<ExportStatus>;
  requested_by: number | null;
  requested_by_label: string;
  with_bom: Generated<boolean>;
  token_hash: Buffer;
  rows_expected: Generated<number>;
  rows_done: Generated<number>;
  byte_size: number | null;
  file_name: string;
  error: string | null;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  expires_at: Timestamp;
  /** the run writing the file, and until when its claim holds unless renewed */
  lease_token: string | null;
  lease_expires_at: Timestamp | null;
}

/** An export's file, gzip-compressed, in pieces of about 1 MB. */
export interface ExportChunksTable {
  export_id: number;
  seq: number;
  data: Buffer;
}

/** The public record of a list delivered to one decision-maker: count and hash chain. */
export interface DeliveryBundlesTable {
  id: Generated<number>;
  campaign_id: number;
  export_id: number | null;
  target_id: number | null;
  target_name: string;
  target_role: string;
  row_count: number;
  final_hash: string;
  manifest: ColumnType<Record<string, unknown>, string, never>;
  created_by: number | null;
  created_at: Timestamp;
}

/** A site allowed to frame the campaign's widget (CSP frame-ancestors). */
export interface CampaignEmbedOriginsTable {
  campaign_id: number;
  /** "https://partner.example" or "http://host:8080": scheme, host, optional port */
  origin: string;
  added_by: number | null;
  created_at: CreatedAt;
}

/** The latest social card image of a campaign in one language. */
export interface SocialCardsTable {
  campaign_id: number;
  locale: string;
  fingerprint: string;
  png: Buffer;
  rendered_at: Generated<Date>;
}

export const TOKEN_PURPOSES = ["verify"] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

export interface SignatureTokensTable {
  id: Generated<number>;
  signature_id: number;
  purpose: TokenPurpose;
  token_hash: Buffer;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  payload: ColumnType<unknown, string, string>;
  created_at: CreatedAt;
  /** a relay's lease on the row while it adds the job to Redis; null when unclaimed */
  claimed_until: Timestamp | null;
  /** the BullMQ job id to use instead of `outbox-<id>` (the sweeper's re-enqueued work) */
  job_key: string | null;
}

export type SentEmailStatus = "sent" | "failed";

export interface SentEmailsTable {
  id: Generated<number>;
  dedupe_key: string;
  kind: string;
  signature_id: number | null;
  status: SentEmailStatus;
  user_id: number | null;
  message_id: string | null;
  error: string | null;
  created_at: CreatedAt;
}

export interface SignatureCountChangesTable {
  id: Generated<number>;
  campaign_id: number;
  country: string;
  day: string;
  delta: number;
  created_at: CreatedAt;
}

export interface CampaignCountsTable {
  campaign_id: number;
  confirmed: number;
  updated_at: Timestamp;
}

export interface CampaignCountryCountsTable {
  campaign_id: number;
  country: string;
  confirmed: number;
}

export interface CampaignDailyCountsTable {
  campaign_id: number;
  day: string;
  confirmed: number;
}

export interface DevOutboxMessagesTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  headers: ColumnType<Record<string, string>, string, string>;
  created_at: CreatedAt;
}

export const USER_ROLES = ["user", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UsersTable {
  id: Generated<number>;
  email: string;
  email_normalized: string;
  display_name: string;
  password_hash: string;
  role: Generated<UserRole>;
  email_confirmed_at: Timestamp | null;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  token_hash: Buffer;
  created_at: CreatedAt;
  last_seen_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  ip_address: string | null;
  user_agent: string | null;
}

export const USER_TOKEN_PURPOSES = ["confirm-email", "reset-password"] as const;
export type UserTokenPurpose = (typeof USER_TOKEN_PURPOSES)[number];

export interface UserTokensTable {
  id: Generated<number>;
  user_id: number;
  purpose: UserTokenPurpose;
  token_hash: Buffer;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OrganisationsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  created_at: CreatedAt;
  /** a small WebP (see organisation-logo.server.ts); null when there is none */
  logo: Buffer | null;
  /** names the logo's version in its immutable URL */
  logo_hash: string | null;
  /** the Reply-To of its updates to signers; null: no replies */
  contact_email: string | null;
}

export const MEMBER_ROLES = ["owner", "organiser"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface MembershipsTable {
  organisation_id: number;
  user_id: number;
  role: MemberRole;
  created_at: CreatedAt;
}

export interface InvitationsTable {
  id: Generated<number>;
  organisation_id: number;
  email: string;
  email_normalized: string;
  role: MemberRole;
  invited_by: number | null;
  token_hash: Buffer | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export const UPDATE_STATUSES = ["draft", "sending", "sent"] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

export interface UpdatesTable {
  id: Generated<number>;
  campaign_id: number;
  author_id: number | null;
  subject: string;
  body_md: string;
  countries: string[] | null;
  status: Generated<UpdateStatus>;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
  queued_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** also shown on the campaign page once sent (the organiser's choice; on by default) */
  published_on_page: Generated<boolean>;
}

export type DeliveryStatus = "queued" | "sending" | "sent" | "failed";

export interface UpdateDeliveriesTable {
  id: Generated<number>;
  update_id: number;
  signature_id: number;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  /** the fencing token: bumped by every claim; only the drain holding this generation may renew or record it */
  lease_generation: Generated<number>;
  error: string | null;
  claimed_at: Timestamp | null;
  /** while 'sending': when the claim lapses and another drain may try this delivery again */
  lease_expires_at: Timestamp | null;
  sent_at: Timestamp | null;
}

/** The unsubscribe link of one message of a delivery (a delivery sent twice has two, both working). */
export interface UpdateUnsubscribeTokensTable {
  /** hashToken() of the token in the link; the token itself is never stored */
  token_hash: Buffer;
  delivery_id: number;
  created_at: CreatedAt;
}

/** An address the mail server refused for good (5xx): later mail to it is skipped, not retried. */
export interface EmailSuppressionsTable {
  /** normaliseEmail() of the address */
  email_normalized: string;
  reason: string;
  smtp_code: number | null;
  /** the message kind whose send was refused (e.g. "signature.verification", "update") */
  kind: string;
  created_at: CreatedAt;
}

export const API_KEY_SCOPES = ["read", "write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** An organisation's key for the OSDI API; only the SHA-256 of the key is stored. */
export interface ApiKeysTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  scope: ApiKeyScope;
  key_hash: Buffer;
  /** the key's first characters, shown so owners can tell keys apart */
  hint: string;
  created_by: number | null;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: number | null;
}

/** A supporter's request to erase every signature of their address, confirmed by an emailed link. */
export interface ErasureRequestsTable {
  id: Generated<number>;
  /** cleared once the request is used; the row goes when it expires */
  email_normalized: string | null;
  locale: string;
  token_hash: Buffer | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  erased_count: number | null;
}

/** One re-encoded width of a campaign's uploaded image (WebP, metadata stripped). */
export interface CampaignImagesTable {
  campaign_id: number;
  /** first 16 hex digits of the upload's SHA-256: a new upload gets new, never-reused URLs */
  hash: string;
  width: number;
  height: number;
  content_type: "image/webp";
  data: Buffer;
  created_at: CreatedAt;
}

export interface CampaignHeroesTable {
  campaign_id: number;
  hash: string;
  alt: string;
  updated_at: Generated<Date>;
}

export interface DB {
  api_keys: ApiKeysTable;
  exports: ExportsTable;
  export_chunks: ExportChunksTable;
  delivery_bundles: DeliveryBundlesTable;
  erasure_requests: ErasureRequestsTable;
  campaign_embed_origins: CampaignEmbedOriginsTable;
  social_cards: SocialCardsTable;
  campaign_images: CampaignImagesTable;
  campaign_heroes: CampaignHeroesTable;
  campaign_partners: CampaignPartnersTable;
  campaign_ask_versions: CampaignAskVersionsTable;
  campaign_target_responses: CampaignTargetResponsesTable;
  campaign_milestones: CampaignMilestonesTable;
  audit_log: AuditLogTable;
  invalidations: InvalidationsTable;
  invalidation_signatures: InvalidationSignaturesTable;
  updates: UpdatesTable;
  update_deliveries: UpdateDeliveriesTable;
  update_unsubscribe_tokens: UpdateUnsubscribeTokensTable;
  email_suppressions: EmailSuppressionsTable;
  campaign_targets: CampaignTargetsTable;
  users: UsersTable;
  sessions: SessionsTable;
  user_tokens: UserTokensTable;
  organisations: OrganisationsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  campaigns: CampaignsTable;
  campaign_translations: CampaignTranslationsTable;
  signatures: SignaturesTable;
  signature_tokens: SignatureTokensTable;
  outbox: OutboxTable;
  sent_emails: SentEmailsTable;
  signature_count_changes: SignatureCountChangesTable;
  campaign_counts: CampaignCountsTable;
  campaign_country_counts: CampaignCountryCountsTable;
  campaign_daily_counts: CampaignDailyCountsTable;
  dev_outbox_messages: DevOutboxMessagesTable;
}
