import { z } from "zod";
import { emailField } from "~/modules/accounts/accounts.schema";

/** The /privacy form and the admin's lookup: one address. */
export const erasureRequestSchema = z.object({ email: emailField });
