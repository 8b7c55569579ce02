import { z } from "zod";
import { API_KEY_SCOPES } from "~/db/schema";
import type { MessageKey } from "~/i18n/i18n";
import { displayNameField } from "~/modules/accounts/accounts.schema";

const message = (key: MessageKey) => ({ message: key });

export const API_KEY_NAME_MAX = 80;

/** The dashboard form that creates a key: a name for people, and what the key may do. */
export const createApiKeySchema = z.object({
  name: displayNameField.pipe(z.string().max(API_KEY_NAME_MAX, message("error.name.tooLong"))),
  scope: z.enum(API_KEY_SCOPES, message("apiKeys.error.scope")),
});
export type CreateApiKeyInput = z.output<typeof createApiKeySchema>;

export const apiKeyIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
