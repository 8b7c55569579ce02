import { data, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { sql } from "kysely";
import { formatDateTime, translator } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { clientAddress } from "~/utils/http.server";

export const meta: MetaFunction = ({ matches }) => [
  { title: `${translator(rootLocale(matches))("outbox.title")} · Banner` },
  { name: "robots", content: "noindex" },
];

/**
 * Emails captured when SMTP_URL is unset, password-reset links included: shown only to this
 * machine (a loopback client that no proxy stands in front of) outside production, or to anyone
 * when DEV_OUTBOX=on says so explicitly. Everyone else gets a 404, as if there were no such page.
 */
function outboxOpenTo(request: Request, context: AppLoadContext): boolean {
  const config = env();
  if (config.SMTP_URL) return false;
  if (config.DEV_OUTBOX === "on") return true;
  if (config.NODE_ENV === "production") return false;
  // A proxy on this machine makes every client look local: a forwarded request is not this machine's.
  if (request.headers.has("X-Forwarded-For") || request.headers.has("Forwarded")) return false;
  const address = clientAddress(context);
  return address === "127.0.0.1" || address === "::1" || (address?.startsWith("127.") ?? false);
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!outboxOpenTo(request, context)) throw data(null, { status: 404 });
  const to = new URL(request.url).searchParams.get("to")?.trim().toLowerCase().slice(0, 254);
  let query = getDb()
    .selectFrom("dev_outbox_messages")
    .select(["id", "to_address", "subject", "text", "created_at"])
    .orderBy("id", "desc")
    .limit(50);
  if (to) query = query.where(sql`lower(to_address)`, "=", to);
  const messages = await query.execute();
  return data(
    {
      messages: messages.map((m) => ({
        ...m,
        created_at: m.created_at.toISOString(),
        // Formatted on the server only, so the browser's ICU cannot disagree with it.
        sentAt: formatDateTime(localeFor(request), m.created_at),
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function DevOutbox() {
  const { messages } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("outbox.title")}</h1>
      <p className="notice">{t("outbox.intro")}</p>
      {messages.length === 0 ? (
        <p>{t("outbox.empty")}</p>
      ) : (
        messages.map((m) => (
          <article key={m.id} className="panel" style={{ marginBlockEnd: "1rem" }} data-testid="outbox-message">
            <p>
              <strong>{t("outbox.to")}:</strong> <span dir="ltr">{m.to_address}</span> · <strong>{t("outbox.sentAt")}:</strong>{" "}
              <time dateTime={m.created_at}>{m.sentAt}</time>
            </p>
            <h2 style={{ marginBlockStart: 0 }} dir="auto">
              {m.subject}
            </h2>
            <pre style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} dir="auto">
              {linkify(m.text)}
            </pre>
          </article>
        ))
      )}
    </>
  );
}

function linkify(text: string) {
  return text.split(/(https?:\/\/\S+)/g).map((part, i) => (/^https?:\/\//.test(part) ? <a key={i} href={part}>{part}</a> : part));
}
