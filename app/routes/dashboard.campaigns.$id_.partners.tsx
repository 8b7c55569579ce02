import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { ACTIVE_PARTNER_STATUSES, isIn } from "~/db/states";
import { PostButton } from "~/components/ui/post-button";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { invitePartnerSchema, partnerIdSchema, partnerShareLink } from "~/modules/partners/partners.schema";
import { invitePartner, listCampaignPartners, removePartner } from "~/modules/partners/partners.server";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { formAnswer, throwPageError } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";
import { routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Partners"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { campaign, partners } = await listCampaignPartners(getDb(), user, routeId(params.id));
    const appUrl = env().APP_URL;
    return data(
      {
        campaign: { id: campaign.id, title: campaign.title },
        partners: partners.map((p) => ({
          id: p.id,
          name: p.name,
          slug: p.slug,
          status: p.status,
          confirmed: p.confirmed,
          // Only an accepted partner's link attributes signatures: show it only then.
          shareLink: p.status === "accepted" ? partnerShareLink(appUrl, campaign.slug, p.share_code) : null,
        })),
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { errors?: FieldErrors; values?: Record<string, string>; alert?: MessageKey; invited?: boolean };

/** How the invite form words errors about the organisation it names. */
const INVITE_ERRORS = { NOT_FOUND: "partners.error.unknown" } as const;

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const campaignId = routeId(params.id);
  const form = await readForm(request);
  const db = getDb();
  try {
    switch (form.get("intent")) {
      case "invite": {
        const parsed = parseForm(invitePartnerSchema, form, ["organisation"]);
        if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
        try {
          await invitePartner(db, user, campaignId, parsed.data.organisation);
        } catch (error) {
          // Errors about the invited organisation belong to the field; the campaign's own NOT_FOUND does not.
          if (isAppError(error) && error.details?.field === "organisation") {
            const { message, status } = formAnswer(error, INVITE_ERRORS);
            return data<ActionData>({ errors: { organisation: message }, values: { organisation: parsed.data.organisation } }, { status });
          }
          throw error;
        }
        return data<ActionData>({ invited: true });
      }
      case "remove": {
        const partnerId = partnerIdSchema.safeParse(form.get("partnerId"));
        if (!partnerId.success) return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
        await removePartner(db, user, campaignId, partnerId.data);
        return data<ActionData>({});
      }
      default:
        return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
    }
  } catch (error) {
    throwPageError(error);
  }
}

export default function CampaignPartners() {
  const { campaign, partners } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${campaign.id}`}>{campaign.title}</Link>
      </p>
      <h1>{t("partners.title")}</h1>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.invited ? (
        <p className="notice" role="status">
          {t("partners.invited")}
        </p>
      ) : null}
      {partners.length === 0 ? <p className="muted">{t("partners.none")}</p> : null}
      <ul className="stack-page" style={{ listStyle: "none", padding: 0 }}>
        {partners.map((p) => (
          <li key={p.id} className="panel stack-tight" data-partner={p.slug}>
            <strong className="bidi">{p.name}</strong>
            <span>
              {t(`partners.status.${p.status}` as MessageKey)} · {t("partners.confirmed", { count: p.confirmed })}
            </span>
            {p.shareLink ? (
              <label className="field">
                <span>{t("partners.shareLink")}</span>
                <input type="text" readOnly value={p.shareLink} dir="ltr" />
              </label>
            ) : null}
            {isIn(ACTIVE_PARTNER_STATUSES, p.status) ? (
              <PostButton fields={{ intent: "remove", partnerId: p.id }}>{t("partners.remove")}</PostButton>
            ) : null}
          </li>
        ))}
      </ul>
      <section className="panel">
        <h2>{t("partners.invite")}</h2>
        <p className="muted">{t("partners.intro")}</p>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="invite" />
          <FormField
            name="organisation"
            label={t("partners.organisation")}
            dir="ltr"
            required
            maxLength={80}
            defaultValue={result?.values?.organisation}
            error={result?.errors?.organisation}
          />
          <button type="submit" className="button">
            {t("partners.invite")}
          </button>
        </Form>
      </section>
    </div>
  );
}
