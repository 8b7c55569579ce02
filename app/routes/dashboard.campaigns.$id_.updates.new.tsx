import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { UpdateFields } from "~/components/update-fields";
import { useTranslation } from "~/i18n/use-translation";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { composeUpdateSchema } from "~/modules/updates/updates.schema";
import { createUpdate } from "~/modules/updates/updates.server";
import { getDb } from "~/services.server";
import { routeId } from "~/utils/http.server";
import { throwPageError } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "New update · Banner" }];


export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    await requireCampaignOrganiser(getDb(), user, routeId(params.id));
  } catch (error) {
    throwPageError(error);
  }
  return null;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = parseForm(composeUpdateSchema, await readForm(request, 128 * 1024), ["subject", "bodyMd", "countries", "publishOnPage"]);
  if (!parsed.ok) return data<{ errors: FieldErrors; values: Record<string, string> }>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  try {
    const update = await createUpdate(getDb(), user, routeId(params.id), parsed.data);
    return redirect(`/dashboard/updates/${update.id}`, { status: 303 });
  } catch (error) {
    throwPageError(error);
  }
}

export default function NewUpdate() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h1>{t("updates.new")}</h1>
      <Form method="post" className="stack">
        <UpdateFields values={result?.values} errors={result?.errors} published={result?.values ? "publishOnPage" in result.values : true} />
        <button type="submit" className="button">
          {t("updates.save")}
        </button>
      </Form>
    </section>
  );
}
