import {
  data,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import { requireOrganisationMember } from "~/modules/access/guards.server";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { currentLogoPath, LOGO_MAX_BYTES, setOrganisationLogo } from "~/modules/organisations/organisation-logo.server";
import { getDb } from "~/services.server";
import { errorStatus, throwPageError } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.organisation.name ?? "Logo"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const org = await requireOrganisationMember(getDb(), user, params.slug ?? "", "owner");
    const logo = await currentLogoPath(getDb(), org.id);
    return data({ organisation: { slug: org.slug, name: org.name }, logo }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    throwPageError(error);
  }
}

/** The uploaded file's bytes; null for a missing file, a file over the limit, or a body that is not a form. */
async function readLogoUpload(request: Request): Promise<Uint8Array | null> {
  // A little over the limit for the multipart framing; anything bigger is refused unread.
  if (Number(request.headers.get("Content-Length") ?? 0) > LOGO_MAX_BYTES + 16 * 1024) return null;
  try {
    const form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: LOGO_MAX_BYTES }));
    const files = form.getAll("logo");
    if (files.length !== 1 || typeof files[0] === "string" || !files[0]) return null;
    return new Uint8Array(await files[0].arrayBuffer());
  } catch {
    return null;
  }
}

type ActionData = { error?: boolean; saved?: boolean };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  try {
    // Membership first, so a stranger's upload is refused before it is read.
    await requireOrganisationMember(db, user, params.slug ?? "", "owner");
    const upload = await readLogoUpload(request);
    if (!upload) return data<ActionData>({ error: true }, { status: 400 });
    await setOrganisationLogo(db, user, params.slug ?? "", upload);
    return data<ActionData>({ saved: true });
  } catch (error) {
    if (isAppError(error, "IMAGE_NOT_ACCEPTED")) return data<ActionData>({ error: true }, { status: errorStatus(error.code) });
    throwPageError(error);
  }
}

export default function OrganisationLogo() {
  const { organisation, logo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/orgs/${organisation.slug}`}>{organisation.name}</Link>
      </p>
      <h1>{t("logo.title")}</h1>
      {result?.saved ? (
        <p className="notice" role="status">
          {t("logo.saved")}
        </p>
      ) : null}
      <section className="panel stack-tight">
        <h2>{t("logo.current")}</h2>
        {logo ? <img src={logo} alt={t("logo.alt", { name: organisation.name })} style={{ maxInlineSize: "8rem", blockSize: "auto" }} /> : <p className="muted">{t("logo.none")}</p>}
      </section>
      <Form method="post" encType="multipart/form-data" className="panel stack">
        <div className="field">
          <label htmlFor="f-logo">{t("logo.file")}</label>
          <span className="hint" id="f-logo-hint">
            {t("logo.intro")}
          </span>
          <input
            id="f-logo"
            name="logo"
            type="file"
            required
            accept="image/png,image/jpeg,image/webp"
            aria-invalid={result?.error ? true : undefined}
            aria-describedby={result?.error ? "f-logo-hint f-logo-error" : "f-logo-hint"}
          />
          {result?.error ? (
            <span className="field-error" id="f-logo-error">
              {t("logo.error.invalid")}
            </span>
          ) : null}
        </div>
        <button type="submit" className="button">
          {t("logo.upload")}
        </button>
      </Form>
    </div>
  );
}
