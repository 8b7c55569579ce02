import { createHash } from "node:crypto";
import sharp from "sharp";
import type { Database, Executor } from "~/db/db.server";
import { EDITABLE_CAMPAIGN_STATUSES, isIn } from "~/db/states";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";
import { HERO_MAX_BYTES, HERO_WIDTHS } from "./hero-image";
import { read, runRead, type Read } from "~/db/one-trip.server";

/**
 * A campaign's hero picture. Uploads are checked by their first bytes (not their name or the
 * browser's word), decoded and re-encoded by sharp, so what we serve is always an image we made:
 * WebP at a few widths, oriented, with every bit of metadata (EXIF, GPS, XMP) left behind. The
 * widths are stored in Postgres, so every web server can serve them. See docs/decisions/0011.
 */

/** Beyond this, decoding alone would take seconds and hundreds of megabytes (a "pixel bomb"). */
const MAX_INPUT_PIXELS = 40_000_000;

export type ImageProblem = "error.image.required" | "error.image.tooLarge" | "error.image.type" | "error.image.corrupt" | "error.image.dimensions";

function invalidImage(problem: ImageProblem): AppError {
  return new AppError("IMAGE_NOT_ACCEPTED", problem, { field: "image", problem });
}

/** JPEG, PNG or WebP by their signatures; anything else, whatever its name says, is null. */
export function sniffImageType(bytes: Uint8Array): "jpeg" | "png" | "webp" | null {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return "jpeg";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "webp";
  return null;
}

export interface EncodedImage {
  hash: string;
  variants: { width: number; height: number; data: Buffer }[];
}

/** Re-encodes an upload to WebP at each of HERO_WIDTHS it is wide enough for (at least one). */
export async function encodeHeroImage(bytes: Buffer): Promise<EncodedImage> {
  if (bytes.length === 0) throw invalidImage("error.image.required");
  if (bytes.length > HERO_MAX_BYTES) throw invalidImage("error.image.tooLarge");
  if (!sniffImageType(bytes)) throw invalidImage("error.image.type");
  const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" }).autoOrient();
  try {
    const { autoOrient } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    const widths = [...new Set(HERO_WIDTHS.map((w) => Math.min(w, autoOrient.width)))];
    const variants = [];
    for (const width of widths) {
      const { data, info } = await input().resize({ width, withoutEnlargement: true }).webp({ quality: 80 }).toBuffer({ resolveWithObject: true });
      variants.push({ width: info.width, height: info.height, data });
    }
    return { hash: createHash("sha256").update(bytes).digest("hex").slice(0, 16), variants };
  } catch (error) {
    throw invalidImage(/pixel limit/i.test(String(error)) ? "error.image.dimensions" : "error.image.corrupt");
  }
}

async function authorizeEditing(db: Executor, actor: Actor, campaignId: number) {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId);
  if (!isIn(EDITABLE_CAMPAIGN_STATUSES, campaign.status)) throw new AppError("CAMPAIGN_NOT_EDITABLE", `a ${campaign.status} campaign cannot be edited`);
  return campaign;
}

/**
 * Sets the hero picture and its description, or only the description when no new picture is
 * given. The previous picture's rows go in the same transaction: its URLs were never reused.
 */
export async function saveHeroImage(db: Database, actor: Actor, campaignId: number, input: { image: Buffer | null; alt: string; encoded?: EncodedImage }) {
  await authorizeEditing(db, actor, campaignId);
  // Decoding and encoding take a while: before the transaction, never inside it. A caller that
  // had to check the picture before anything else (the form that creates a campaign) passes its result.
  const encoded = input.encoded ?? (input.image ? await encodeHeroImage(input.image) : null);
  await db.transaction().execute(async (trx) => {
    if (!encoded) {
      const updated = await trx.updateTable("campaign_heroes").set({ alt: input.alt, updated_at: new Date() }).where("campaign_id", "=", campaignId).executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw invalidImage("error.image.required");
      return;
    }
    await trx.deleteFrom("campaign_images").where("campaign_id", "=", campaignId).execute();
    await trx
      .insertInto("campaign_images")
      .values(encoded.variants.map((v) => ({ campaign_id: campaignId, hash: encoded.hash, width: v.width, height: v.height, content_type: "image/webp" as const, data: v.data })))
      .execute();
    await trx
      .insertInto("campaign_heroes")
      .values({ campaign_id: campaignId, hash: encoded.hash, alt: input.alt })
      .onConflict((oc) => oc.column("campaign_id").doUpdateSet({ hash: encoded.hash, alt: input.alt, updated_at: new Date() }))
      .execute();
  });
}

export async function removeHeroImage(db: Database, actor: Actor, campaignId: number) {
  await db.transaction().execute(async (trx) => {
    await authorizeEditing(trx, actor, campaignId);
    await trx.deleteFrom("campaign_heroes").where("campaign_id", "=", campaignId).execute();
    await trx.deleteFrom("campaign_images").where("campaign_id", "=", campaignId).execute();
  });
}

export interface HeroImage {
  alt: string;
  /** the widest variant's size: the <img>'s width and height, so the page does not jump */
  width: number;
  height: number;
  src: string;
  srcSet: string;
}

export function heroImageUrl(campaignId: number, hash: string, width: number): string {
  return `/media/campaigns/${campaignId}/${hash}-${width}.webp`;
}

/** The campaign's hero picture as an <img> needs it, or null. */
export async function getHeroImage(db: Executor, campaignId: number): Promise<HeroImage | null> {
  return runRead(db, heroImageRead(db, campaignId));
}

export function heroImageRead(db: Executor, campaignId: number): Read<HeroImage | null> {
  const query = db
    .selectFrom("campaign_heroes as h")
    .innerJoin("campaign_images as i", (join) => join.onRef("i.campaign_id", "=", "h.campaign_id").onRef("i.hash", "=", "h.hash"))
    .select(["h.hash", "h.alt", "i.width", "i.height"])
    .where("h.campaign_id", "=", campaignId)
    .orderBy("i.width");
  return read(query, (rows) => {
    const widest = rows.at(-1);
    if (!widest) return null;
    return {
      alt: widest.alt,
      width: widest.width,
      height: widest.height,
      src: heroImageUrl(campaignId, widest.hash, rows[0]!.width),
      srcSet: rows.map((r) => `${heroImageUrl(campaignId, r.hash, r.width)} ${r.width}w`).join(", "),
    };
  });
}

/** One stored variant's bytes, for the media route. */
export async function readCampaignImage(db: Executor, campaignId: number, hash: string, width: number) {
  return db
    .selectFrom("campaign_images")
    .select(["data", "content_type"])
    .where("campaign_id", "=", campaignId)
    .where("hash", "=", hash)
    .where("width", "=", width)
    .executeTakeFirst();
}
