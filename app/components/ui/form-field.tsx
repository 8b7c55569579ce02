import type { InputHTMLAttributes } from "react";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";

/** A labelled input with its hint and error wired to aria-describedby. */
export function FormField({
  name,
  id: givenId,
  label,
  hint,
  error,
  params,
  ...input
}: { name: string; id?: string; label: string; hint?: string; error?: MessageKey; params?: Record<string, number> } & InputHTMLAttributes<HTMLInputElement>) {
  const { t } = useTranslation();
  // An explicit id for forms that repeat a field (one form per row).
  const id = givenId ?? `f-${name}`;
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {t(error, params)}
        </span>
      ) : null}
    </div>
  );
}

export function FormAlert({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="error-summary" role="alert">
      {message}
    </div>
  );
}
