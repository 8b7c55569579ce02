import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { HeroPicture } from "~/components/hero-picture";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { EDITABLE_CAMPAIGN_STATUSES, isIn } from "~/db/states";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { HERO_ALT_MAX, HERO_MAX_BYTES } from "~/modules/media/hero-image";
import { getHeroImage, removeHeroImage, saveHeroImage } from "~/modules/media/hero-image.server";
import { getDb } from "~/services.server";
import { isAppError } from "~/utils/errors.server";
import { readForm, type FieldErrors } from "~/utils/forms.server";
import { formAnswer, throwPageError } from "~/utils/error-answers.server";
import { NO_STORE, routeId } from "~/utils/http.server";
import { readUploadForm } from "~/utils/multipart.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const campaign = await requireCampaignOrganiser(db, user, routeId(params.id), { allowAdmin: true }).catch(throwPageError);
  const hero = await getHeroImage(db, campaign.id);
  return data(
    { campaign: { id: campaign.id, title: campaign.title, editable: isIn(EDITABLE_CAMPAIGN_STATUSES, campaign.status) }, hero },
    { headers: { "Cache-Control": NO_STORE } },
  );
}

const altSchema = z
  .string({ error: "error.alt.required" })
  .trim()
  .min(1, "error.alt.required")
  .max(HERO_ALT_MAX, "error.alt.tooLong")
  .refine((v) => !/[\p{Cc}<>]/u.test(v), "error.text.invalid");

type ActionData = { errors?: FieldErrors; alt?: string; alert?: MessageKey; saved?: "saved" | "removed" };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const db = getDb();
  const fail = (errors: FieldErrors, alt = "") => data<ActionData>({ errors, alt }, { status: 400 });
  try {
    if (!request.headers.get("Content-Type")?.startsWith("multipart/form-data")) {
      const form = await readForm(request);
      if (form.get("intent") !== "remove") return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
      await removeHeroImage(db, user, id);
      return data<ActionData>({ saved: "removed" });
    }
    const upload = await readUploadForm(request, { fileField: "image", textFields: ["alt"], maxFileBytes: HERO_MAX_BYTES });
    if (!upload.ok) {
      // The rest of a far too large body was not read: do not leave the connection for another request.
      const headers = { Connection: "close" };
      if (upload.reason === "tooLarge") return data<ActionData>({ errors: { image: "error.image.tooLarge" }, alt: "" }, { status: 400, headers });
      return data<ActionData>({ alert: "errorPage.body" }, { status: 400, headers });
    }
    const rawAlt = upload.form.fields.alt ?? "";
    const alt = altSchema.safeParse(rawAlt);
    if (!alt.success) return fail({ alt: alt.error.issues[0]!.message as MessageKey }, rawAlt.slice(0, 500));
    await saveHeroImage(db, user, id, { image: upload.form.file, alt: alt.data });
    return data<ActionData>({ saved: "saved" });
  } catch (error) {
    if (isAppError(error, "IMAGE_NOT_ACCEPTED")) return fail({ image: error.details?.problem as MessageKey });
    if (isAppError(error, "CAMPAIGN_NOT_EDITABLE")) {
      const { message, status } = formAnswer(error);
      return data<ActionData>({ alert: message }, { status });
    }
    throwPageError(error);
  }
}

export default function CampaignPicture() {
  const { campaign, hero } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${campaign.id}`}>{t("stats.back")}</Link>
      </p>
      <h1>{t("hero.title")}</h1>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.saved ? (
        <p className="notice" role="status">
          {t(result.saved === "saved" ? "hero.saved" : "hero.removed")}
        </p>
      ) : null}
      <section className="panel" aria-labelledby="current-picture">
        <h2 id="current-picture">{t("hero.current")}</h2>
        {hero ? <HeroPicture hero={hero} sizes="(min-width: 60rem) 40rem, 100vw" /> : <p className="muted">{t("hero.none")}</p>}
        {hero && campaign.editable ? (
          <Form method="post">
            <input type="hidden" name="intent" value="remove" />
            <button type="submit" className="button danger">
              {t("hero.remove")}
            </button>
          </Form>
        ) : null}
      </section>
      {campaign.editable ? (
        <section className="panel">
          <Form method="post" encType="multipart/form-data" className="stack">
            <p className="muted">{t("hero.intro")}</p>
            <FormField name="image" type="file" accept="image/jpeg,image/png,image/webp" label={t("hero.file")} error={result?.errors?.image} required={!hero} />
            <FormField
              name="alt"
              type="text"
              label={t("hero.alt")}
              hint={t("hero.alt.hint")}
              error={result?.errors?.alt}
              defaultValue={result?.alt ?? hero?.alt ?? ""}
              maxLength={HERO_ALT_MAX}
              required
            />
            <button type="submit" className="button">
              {t("hero.save")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
