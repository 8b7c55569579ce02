import { createHash } from "node:crypto";

/**
 * The Message-ID of a message, derived from its sent-log key (kind, recipient, subject): every send
 * of the same message (a retry after a worker died between the SMTP server's "250 OK" and our
 * record of it) carries the same id, so receiving systems can fold the repeat. The key is hashed,
 * so no database id shows in the header; the domain is the sender's.
 */
export function messageIdFor(sentLogKey: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim())?.[1] ?? "banner.invalid";
  const local = createHash("sha256").update(`banner-message:${sentLogKey}`).digest("base64url").slice(0, 32);
  return `<${local}@${domain}>`;
}
