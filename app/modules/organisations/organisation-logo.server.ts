import { createHash } from "node:crypto";
import sharp from "sharp";
import type { Database, Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireOrganisationMember } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";

/**
 * Organisation logos: an upload (PNG, JPEG or WebP up to 1 MB) is decoded and re-encoded as a
 * small WebP, which drops anything but pixels (metadata, scripts in odd formats, decompression
 * tricks beyond the pixel limit). The bytes live in Postgres so every web server can serve them;
 * the content hash in the URL makes the URL immutable and cacheable forever.
 */

export const LOGO_MAX_BYTES = 1024 * 1024;
const LOGO_BOX = 256;
const ACCEPTED_FORMATS = new Set(["png", "jpeg", "webp"]);

export function logoPath(organisationId: number, hash: string): string {
  return `/media/org-logos/${organisationId}-${hash}.webp`;
}

/** Re-encodes an upload, or throws IMAGE_NOT_ACCEPTED (field "logo") when it is not an image we take. */
export async function encodeLogo(upload: Uint8Array): Promise<{ webp: Buffer; hash: string }> {
  if (upload.byteLength === 0 || upload.byteLength > LOGO_MAX_BYTES) throw new AppError("IMAGE_NOT_ACCEPTED", "logo size", { field: "logo" });
  try {
    // limitInputPixels guards against a small file that decodes to an enormous image.
    const image = sharp(upload, { limitInputPixels: 40_000_000, failOn: "error" });
    const meta = await image.metadata();
    if (!meta.format || !ACCEPTED_FORMATS.has(meta.format)) throw new Error(`format ${meta.format}`);
    const webp = await image.rotate().resize(LOGO_BOX, LOGO_BOX, { fit: "inside", withoutEnlargement: true }).webp({ quality: 82 }).toBuffer();
    return { webp, hash: createHash("sha256").update(webp).digest("hex").slice(0, 16) };
  } catch {
    throw new AppError("IMAGE_NOT_ACCEPTED", "not a PNG, JPEG or WebP image", { field: "logo" });
  }
}

/** Owners set or replace their organisation's logo. */
export async function setOrganisationLogo(db: Database, actor: Actor, organisationSlug: string, upload: Uint8Array): Promise<string> {
  const org = await requireOrganisationMember(db, actor, organisationSlug, "owner");
  const { webp, hash } = await encodeLogo(upload);
  await db.updateTable("organisations").set({ logo: webp, logo_hash: hash }).where("id", "=", org.id).execute();
  return logoPath(org.id, hash);
}

/** The logo's bytes if `hash` is its current version; an old or made-up URL finds nothing. */
export async function findLogo(db: Executor, organisationId: number, hash: string): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom("organisations")
    .select("logo")
    .where("id", "=", organisationId)
    .where("logo_hash", "=", hash)
    .executeTakeFirst();
  return row?.logo ?? undefined;
}

export async function currentLogoPath(db: Executor, organisationId: number): Promise<string | null> {
  const row = await db.selectFrom("organisations").select("logo_hash").where("id", "=", organisationId).executeTakeFirst();
  return row?.logo_hash ? logoPath(organisationId, row.logo_hash) : null;
}
