/**
 * What a browser without JavaScript would post when pressing a button of a page: the hidden
 * inputs of the first POST form holding `marker`, plus the pressed button's name and value.
 * Lets an HTTP test post what the page rendered rather than fields it typed out itself.
 */
export function fieldsOfPostForm(html: string, marker: string): Record<string, string> {
  const form = [...html.matchAll(/<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/gi)].map((m) => m[1]!).find((body) => body.includes(marker));
  if (!form) throw new Error(`no POST form holding ${marker}`);
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<(input|button)\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
    const hidden = /\btype="hidden"/.test(tag);
    if (name && value !== undefined && (hidden || tag.startsWith("<button"))) fields[name] = value;
  }
  return fields;
}
