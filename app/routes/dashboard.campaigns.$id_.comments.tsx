import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { listSignerComments, setSignerCommentHidden } from "~/modules/signatures/signer-comments.server";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { readForm } from "~/utils/forms.server";
import { routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    return data(await listSignerComments(getDb(), user, routeId(params.id)), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    throwPageError(error);
  }
}

const toggleSchema = z.object({ signatureId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER), intent: z.enum(["hide", "show"]) });

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const form = await readForm(request);
  const parsed = toggleSchema.safeParse({ signatureId: form.get("signatureId"), intent: form.get("intent") });
  if (!parsed.success) throw data(null, { status: 400 });
  try {
    await setSignerCommentHidden(getDb(), user, id, parsed.data.signatureId, parsed.data.intent === "hide");
  } catch (error) {
    throwPageError(error);
  }
  return redirect(`/dashboard/campaigns/${id}/comments`, { status: 303 });
}

export default function SignerComments() {
  const { campaign, comments } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <section className="stack-page">
      <p className="small">
        <Link to={`/dashboard/campaigns/${campaign.id}`} className="bidi">
          {campaign.title}
        </Link>
      </p>
      <h1>{t("comments.title")}</h1>
      <p className="muted">{t("comments.intro")}</p>
      {comments.length === 0 ? (
        <p className="notice">{t("comments.none")}</p>
      ) : (
        <ul className="reasons">
          {comments.map((c) => (
            <li key={c.id} className="panel" data-comment-hidden={c.hidden ? "yes" : "no"}>
              <figure>
                <blockquote className="bidi">{c.comment}</blockquote>
                <figcaption className="muted small">
                  <span className="bidi">{c.firstName}</span>, {c.country}
                  {c.hidden ? ` · ${t("comments.hidden")}` : null}
                </figcaption>
              </figure>
              <Form method="post">
                <input type="hidden" name="signatureId" value={c.id} />
                <input type="hidden" name="intent" value={c.hidden ? "show" : "hide"} />
                <button type="submit" className="button secondary">
                  {c.hidden ? t("comments.show") : t("comments.hide")}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
