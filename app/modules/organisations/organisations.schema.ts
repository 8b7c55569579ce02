import { z } from "zod";
import type { MessageKey } from "~/i18n/i18n";
import { MEMBER_ROLES } from "~/db/schema";
import { displayNameField, emailField } from "~/modules/accounts/accounts.schema";

const message = (key: MessageKey) => ({ message: key });

export const ORG_SLUG_MAX = 60;

export const createOrganisationSchema = z.object({
  name: displayNameField.pipe(z.string().max(120, message("error.name.tooLong"))),
  slug: z
    .string(message("error.slug.invalid"))
    .trim()
    .toLowerCase()
    .max(ORG_SLUG_MAX, message("error.slug.invalid"))
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, message("error.slug.invalid")),
});

export const memberRoleField = z.enum(MEMBER_ROLES, message("error.role.invalid"));
/** The organisation's contact address (Reply-To of its updates); empty removes it. */
export const contactEmailSchema = z.object({ contactEmail: z.string().trim().pipe(z.union([z.literal(""), emailField])) });

export const inviteMemberSchema = z.object({ email: emailField, role: memberRoleField });
export const changeRoleSchema = z.object({ userId: z.coerce.number().int().positive(), role: memberRoleField });
export const memberIdSchema = z.object({ userId: z.coerce.number().int().positive() });

/** An organisation's slug in a public URL; anything else is simply not found. */
export const organisationSlugParam = z.string().max(ORG_SLUG_MAX).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/);
