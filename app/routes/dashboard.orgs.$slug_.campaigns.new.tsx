import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { CampaignForm, type CampaignFormValues } from "~/components/campaign-form";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireOrganisationMember } from "~/modules/access/guards.server";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { parseCampaignForm } from "~/modules/campaigns/campaign-form.server";
import { createCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { getDb } from "~/services.server";
import { isAppError } from "~/utils/errors.server";
import { readForm } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "New campaign · Banner" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    await requireOrganisationMember(getDb(), user, params.slug ?? "");
  } catch (error) {
    if (isAppError(error, "NOT_FOUND")) throw data(null, { status: 404 });
    throw error;
  }
  return null;
}

type ActionData = { errors: Record<string, MessageKey>; values: CampaignFormValues };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = parseCampaignForm(await readForm(request, 64 * 1024));
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values as CampaignFormValues }, { status: 400 });
  try {
    const { id } = await createCampaign(getDb(), user, params.slug ?? "", parsed.data);
    return redirect(`/dashboard/campaigns/${id}`, { status: 303 });
  } catch (error) {
    if (isAppError(error, "NOT_FOUND")) throw data(null, { status: 404 });
    if (isAppError(error, "SLUG_TAKEN")) {
      const values = { ...parsed.data, deadline: parsed.data.deadline?.toISOString().slice(0, 10) } as CampaignFormValues;
      return data<ActionData>({ errors: { slug: "error.slug.taken" }, values }, { status: 409 });
    }
    throw error;
  }
}

export default function NewCampaign() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h1>{t("campaigns.new")}</h1>
      <CampaignForm values={result?.values ?? { goal: 10000 }} errors={result?.errors} submitLabel={t("campaigns.save")} />
    </section>
  );
}
