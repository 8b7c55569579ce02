import { useEffect, useRef, type InputHTMLAttributes, type MouseEvent } from "react";
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

/**
 * Following "#field" only scrolls in some browsers; put the caret in the field too, so the
 * keyboard user can type the correction straight away. (Without JavaScript, the link scrolls.)
 */
function focusField(event: MouseEvent<HTMLAnchorElement>) {
  const field = document.getElementById(event.currentTarget.hash.slice(1));
  if (!field) return;
  event.preventDefault();
  field.focus();
  field.scrollIntoView({ block: "center" });
}

/**
 * The list of what to fix, first in the form, each item a link to its field. It is an alert, and
 * when it appears after a submit without a reload (JavaScript on) focus moves to it, so screen
 * readers announce it and keyboard users start from it; `focusKey` changes with each submit.
 */
export function ErrorSummary({ id, heading, items, focusKey }: { id: string; heading: string; items: { href: string; text: string }[]; focusKey: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (items.length > 0) ref.current?.focus();
  }, [focusKey, items.length]);
  if (items.length === 0) return null;
  return (
    <div className="error-summary" id={id} role="alert" tabIndex={-1} ref={ref}>
      <strong>{heading}</strong>
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <a href={item.href} onClick={focusField}>
              {item.text}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
