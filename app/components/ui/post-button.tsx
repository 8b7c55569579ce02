import { Form } from "@remix-run/react";
import type { ButtonHTMLAttributes } from "react";

/**
 * A one-button form: posts `fields` (as hidden inputs: which intent, which row) to this page's
 * action. What a table row's "remove", "retry" or "undo" is, with and without JavaScript.
 */
export function PostButton({ fields, className = "button secondary", children, ...button }: { fields: Record<string, string | number> } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <Form method="post">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={className} {...button}>
        {children}
      </button>
    </Form>
  );
}
