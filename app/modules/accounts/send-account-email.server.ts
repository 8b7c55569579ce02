import type { Database } from "~/db/db.server";
import { DEFAULT_LOCALE, translator } from "~/i18n/i18n";
import { sendOnce, type SendOnceOutcome } from "~/mail/sent-log.server";
import { linkEmail } from "~/mail/templates/link-email";
import type { Mailer } from "~/mail/transport.server";
import { issueInvitationToken } from "~/modules/organisations/organisations.server";
import { issueUserToken } from "./accounts.queries.server";

export type AccountEmailKind = "confirm-email" | "already-registered" | "reset-password";

type Deps = { db: Database; mailer: Mailer; appUrl: string };

/** Account emails: the token is created here, right before sending, so only its hash is stored. */
export async function sendAccountEmail(deps: Deps, job: { userId: number; kind: AccountEmailKind; outboxId: number }): Promise<SendOnceOutcome> {
  const kind = `account.${job.kind}`;
  return sendOnce(deps, { dedupeKey: `${kind}:${job.userId}:${job.outboxId}`, kind, userId: job.userId }, async () => {
    const user = await deps.db.selectFrom("users").selectAll().where("id", "=", job.userId).executeTakeFirst();
    if (!user || user.disabled_at) return undefined;
    const locale = DEFAULT_LOCALE;
    const t = translator(locale);
    switch (job.kind) {
      case "confirm-email": {
        if (user.email_confirmed_at) return undefined;
        const token = await issueUserToken(deps.db, user.id, "confirm-email");
        return linkEmail({
          to: user.email,
          locale,
          subject: t("email.confirmAccount.subject"),
          greetingName: user.display_name,
          paragraphs: [t("email.confirmAccount.body")],
          link: { url: `${deps.appUrl}/account/confirm/${token}`, label: t("auth.confirmButton") },
        });
      }
      case "reset-password": {
        const token = await issueUserToken(deps.db, user.id, "reset-password");
        return linkEmail({
          to: user.email,
          locale,
          subject: t("email.resetPassword.subject"),
          greetingName: user.display_name,
          paragraphs: [t("email.resetPassword.body")],
          link: { url: `${deps.appUrl}/reset-password/${token}`, label: t("auth.resetTitle") },
        });
      }
      case "already-registered":
        return linkEmail({
          to: user.email,
          locale,
          subject: t("email.alreadyRegistered.subject"),
          greetingName: user.display_name,
          paragraphs: [t("email.alreadyRegistered.body")],
          link: { url: `${deps.appUrl}/forgot-password`, label: t("auth.forgotLink") },
        });
    }
  });
}

export async function sendInvitationEmail(deps: Deps, job: { invitationId: number; outboxId: number }): Promise<SendOnceOutcome> {
  const kind = "organisation.invitation";
  return sendOnce(deps, { dedupeKey: `${kind}:${job.invitationId}:${job.outboxId}`, kind }, async () => {
    const invitation = await deps.db
      .selectFrom("invitations as i")
      .innerJoin("organisations as o", "o.id", "i.organisation_id")
      .leftJoin("users as u", "u.id", "i.invited_by")
      .select(["i.id", "i.email", "i.role", "o.name", "u.display_name as inviter"])
      .where("i.id", "=", job.invitationId)
      .executeTakeFirst();
    if (!invitation) return undefined;
    const token = await issueInvitationToken(deps.db, invitation.id);
    if (!token) return undefined; // accepted, withdrawn or expired meanwhile
    const t = translator(DEFAULT_LOCALE);
    const role = t(invitation.role === "owner" ? "org.role.owner" : "org.role.organiser");
    return linkEmail({
      to: invitation.email,
      locale: DEFAULT_LOCALE,
      subject: t("email.invitation.subject", { name: invitation.name }),
      paragraphs: [t("email.invitation.body", { inviter: invitation.inviter ?? "Banner", name: invitation.name, role })],
      link: { url: `${deps.appUrl}/invitations/${token}`, label: t("org.inviteAccept") },
    });
  });
}
