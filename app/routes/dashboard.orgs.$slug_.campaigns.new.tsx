import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { z } from "zod";
import { CampaignForm, type CampaignFormValues } from "~/components/campaign-form";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { parseCampaignForm, previewCampaignForm, wantsPreview } from "~/modules/campaigns/campaign-form.server";
import { CAMPAIGN_FORM_FIELDS } from "~/modules/campaigns/lifecycle.schema";
import { createCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { HERO_ALT_MAX, HERO_MAX_BYTES } from "~/modules/media/hero-image";
import { encodeHeroImage, saveHeroImage, type EncodedImage } from "~/modules/media/hero-image.server";
import { requireOrganisationMember } from "~/modules/access/guards.server";
import { getDb } from "~/services.server";
import { placedFormAnswer, throwPageError } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { readForm } from "~/utils/forms.server";
import { readUploadForm } from "~/utils/multipart.server";

export const meta: MetaFunction = () => [{ title: "New campaign · Banner" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    await requireOrganisationMember(getDb(), user, params.slug ?? "");
  } catch (error) {
    throwPageError(error);
  }
  return null;
}

type ActionData = { errors: Record<string, MessageKey>; values: CampaignFormValues; preview?: string; alert?: MessageKey; pictureDropped?: boolean };

const FORM_BYTES = 128 * 1024;

const altSchema = z
  .string()
  .trim()
  .max(HERO_ALT_MAX, "error.alt.tooLong")
  .refine((v) => !/[\p{Cc}<>]/u.test(v), "error.text.invalid");

/**
 * The form, read as multipart (with its picture) or as a plain form (without one, and the live
 * preview). The picture is checked and encoded before the campaign exists, so a bad file is a
 * field error on an unchanged database, never half a campaign.
 */
async function readCampaignRequest(request: Request): Promise<{ ok: true; form: FormData; image: Buffer | null; alt: string } | { ok: false; tooLarge: boolean }> {
  if (!request.headers.get("Content-Type")?.startsWith("multipart/form-data")) return { ok: true, form: await readForm(request, FORM_BYTES), image: null, alt: "" };
  const upload = await readUploadForm(request, {
    fileField: "image",
    textFields: [...CAMPAIGN_FORM_FIELDS, "intent", "alt"],
    maxFileBytes: HERO_MAX_BYTES,
    maxFieldBytes: FORM_BYTES,
    maxTextBytes: FORM_BYTES,
  });
  if (!upload.ok) return { ok: false, tooLarge: upload.reason === "tooLarge" };
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.form.fields)) form.append(name, value);
  return { ok: true, form, image: upload.form.file, alt: upload.form.fields.alt ?? "" };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const read = await readCampaignRequest(request);
  if (!read.ok) {
    // The rest of a far too large body was not read: do not leave the connection for another request.
    const errors: Record<string, MessageKey> = read.tooLarge ? { image: "error.image.tooLarge" } : {};
    return data<ActionData>({ errors, values: { goal: 10000 }, alert: read.tooLarge ? undefined : "errorPage.body" }, { status: 400, headers: { Connection: "close" } });
  }
  const { form, image } = read;
  if (wantsPreview(form)) {
    const shown = previewCampaignForm(form);
    return data<ActionData>({ errors: shown.errors, values: { ...(shown.values as CampaignFormValues), alt: read.alt }, preview: shown.preview, pictureDropped: Boolean(image) });
  }
  const parsed = parseCampaignForm(form);
  const alt = altSchema.safeParse(read.alt);
  const errors: Record<string, MessageKey> = parsed.ok ? {} : { ...parsed.errors };
  if (!alt.success) errors.alt = alt.error.issues[0]!.message as MessageKey;
  else if (image && !alt.data) errors.alt = "error.alt.required";
  let encoded: EncodedImage | undefined;
  if (image && !errors.alt) {
    try {
      encoded = await encodeHeroImage(image);
    } catch (error) {
      if (!isAppError(error, "IMAGE_NOT_ACCEPTED")) throw error;
      errors.image = error.details?.problem as MessageKey;
    }
  }
  const values = { ...((parsed.ok ? { ...parsed.data, deadline: parsed.data.deadline?.toISOString().slice(0, 10) } : parsed.values) as CampaignFormValues), alt: read.alt.slice(0, 500) };
  if (!parsed.ok || Object.keys(errors).length > 0) return data<ActionData>({ errors, values, pictureDropped: Boolean(image) }, { status: 400 });
  try {
    const { id } = await createCampaign(getDb(), user, params.slug ?? "", parsed.data);
    if (image && encoded && alt.success) await saveHeroImage(getDb(), user, id, { image, alt: alt.data, encoded });
    return redirect(`/dashboard/campaigns/${id}`, { status: 303 });
  } catch (error) {
    const { errors, alert, status } = placedFormAnswer(error);
    return data<ActionData>({ errors, alert, values, pictureDropped: Boolean(image) }, { status });
  }
}

export default function NewCampaign() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h1>{t("campaigns.new")}</h1>
      {result?.pictureDropped ? <p className="notice">{t("campaigns.pictureAgain")}</p> : null}
      <CampaignForm values={result?.values ?? { goal: 10000 }} errors={result?.errors} preview={result?.preview ?? null} submitLabel={t("campaigns.save")} withPicture />
    </section>
  );
}
