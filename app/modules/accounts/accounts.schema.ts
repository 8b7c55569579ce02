import { z } from "zod";
import type { MessageKey } from "~/i18n/i18n";

const message = (key: MessageKey) => ({ message: key });
const CONTROL_OR_MARKUP = /[\p{Cc}\u202A-\u202E\u2066-\u2069]|<\s*\/?\s*[a-zA-Z!?]/u;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

export const emailField = z
  .string(message("error.email.required"))
  .trim()
  .min(1, message("error.email.required"))
  .max(254, message("error.email.tooLong"))
  .pipe(z.email(message("error.email.invalid")));

export const passwordField = z
  .string(message("error.password.tooShort"))
  .min(PASSWORD_MIN, message("error.password.tooShort"))
  .max(PASSWORD_MAX, message("error.password.tooLong"));

export const displayNameField = z
  .string(message("error.name.required"))
  .transform((v) => v.normalize("NFC").trim())
  .pipe(
    z
      .string()
      .min(1, message("error.name.required"))
      .max(100, message("error.name.tooLong"))
      .refine((v) => !CONTROL_OR_MARKUP.test(v), message("error.text.invalid")),
  );

export const signUpSchema = z.object({ displayName: displayNameField, email: emailField, password: passwordField });
export const logInSchema = z.object({
  email: emailField,
  password: z.string(message("error.password.required")).min(1, message("error.password.required")).max(PASSWORD_MAX, message("error.password.tooLong")),
});
export const requestPasswordResetSchema = z.object({ email: emailField });
export const resetPasswordSchema = z.object({ password: passwordField });
export const changePasswordSchema = z.object({
  currentPassword: z.string(message("error.password.required")).min(1, message("error.password.required")).max(PASSWORD_MAX),
  newPassword: passwordField,
});

export type SignUpInput = z.output<typeof signUpSchema>;
export type LogInInput = z.output<typeof logInSchema>;
