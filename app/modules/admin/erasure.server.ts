import type { Database } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { emailDigest, eraseSignaturesOf, listSignaturesOf } from "~/modules/privacy/erase-signatures.server";
import { canonicalEmail } from "~/modules/signatures/signatures.schema";

/**
 * An admin handling an erasure request (by letter, by phone…): the signatures of the address with
 * their consent record (version, language, time, purposes). Looking is logged too, by hash.
 */
export async function previewErasure(db: Database, actor: Actor, email: string) {
  requireAdmin(actor);
  const emailNormalized = canonicalEmail(email);
  return db.transaction().execute(async (trx) => {
    const signatures = await listSignaturesOf(trx, emailNormalized);
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "privacy.lookup",
      details: { emailSha256: emailDigest(emailNormalized) },
      rowCount: signatures.length,
    });
    return signatures;
  });
}

/** Erases every signature of the address, as the self-service link would; audit-logged by hash. */
export async function eraseOnRequest(db: Database, actor: Actor, email: string) {
  requireAdmin(actor);
  const emailNormalized = canonicalEmail(email);
  return db.transaction().execute(async (trx) => {
    const result = await eraseSignaturesOf(trx, emailNormalized);
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "privacy.erase",
      details: { emailSha256: emailDigest(emailNormalized), confirmed: result.confirmed, via: "admin" },
      rowCount: result.erased,
    });
    return result;
  });
}
