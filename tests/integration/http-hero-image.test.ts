/**
 * Campaign pictures over HTTP against the built server: a real upload becomes WebP at each width,
 * without metadata, served with immutable caching; bad uploads get a field error and change nothing.
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { createOrganisation, signedInUser } from "../support/organisers";
import { integrationStack, type WebServer } from "../support/stack";


const stack = integrationStack({ label: "hero", web: true });
let t: TestDatabase;
let web: WebServer;

beforeAll(() => {
  t = stack.database;
  web = stack.web;
});

async function campaignOfNewOrganisation() {
  const org = await createOrganisation(t.db);
  const campaign = await createCampaign(t.db);
  await t.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
  const organiser = await signedInUser(t.db, { organisationId: org.id });
  return { campaign, organiser };
}

function upload(campaignId: number, cookie: string, file: { bytes: Buffer; name: string; type: string } | null, alt = "Marchers holding a banner") {
  const form = new FormData();
  form.append("image", file ? new Blob([new Uint8Array(file.bytes)], { type: file.type }) : new Blob([]), file?.name ?? "");
  form.append("alt", alt);
  return fetch(`${web.url}/dashboard/campaigns/${campaignId}/image`, { method: "POST", body: form, headers: { Cookie: cookie }, redirect: "manual" });
}

/** A photo-like PNG: a gradient, so the encoder has real work to do. */
function png(width: number, height: number) {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) {
    const p = i / 3;
    raw[i] = (p % width) % 256;
    raw[i + 1] = Math.floor(p / width) % 256;
    raw[i + 2] = 128;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

const storedImages = (campaignId: number) => t.db.selectFrom("campaign_images").select(["width", "height", "hash"]).where("campaign_id", "=", campaignId).orderBy("width").execute();

describe("campaign pictures", () => {
  it("re-encode an uploaded PNG to WebP at each width, served with immutable caching, and show it on the public page", async () => {
    const { campaign, organiser } = await campaignOfNewOrganisation();
    const res = await upload(campaign.id, organiser.cookie, { bytes: await png(2000, 1000), name: "banner.png", type: "image/png" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("The picture was saved.");
    const rows = await storedImages(campaign.id);
    expect(rows.map((r) => [r.width, r.height])).toEqual([
      [480, 240],
      [960, 480],
      [1600, 800],
    ]);
    for (const row of rows) {
      const image = await fetch(`${web.url}/media/campaigns/${campaign.id}/${row.hash}-${row.width}.webp`);
      expect(image.status).toBe(200);
      expect(image.headers.get("content-type")).toBe("image/webp");
      expect(image.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", row.width, row.height]);
    }
    expect((await fetch(`${web.url}/media/campaigns/${campaign.id}/${rows[0]!.hash}-123.webp`)).status).toBe(404);
    expect((await fetch(`${web.url}/media/campaigns/${campaign.id}/../../etc-480.webp`)).status).toBe(404);

    const page = await (await fetch(`${web.url}/campaigns/${campaign.slug}`)).text();
    const img = page.match(/<figure class="hero"><img [^>]+>/)![0];
    const src = (w: number) => `/media/campaigns/${campaign.id}/${rows[0]!.hash}-${w}.webp ${w}w`;
    expect(img).toContain(`srcSet="${src(480)}, ${src(960)}, ${src(1600)}"`);
    expect(img).toMatch(/sizes="[^"]+"/);
    expect(img).toContain('width="1600" height="800" alt="Marchers holding a banner" decoding="async"');
  });

  it("strip camera metadata (EXIF, GPS) and never enlarge a small picture", async () => {
    const { campaign, organiser } = await campaignOfNewOrganisation();
    const jpeg = await sharp(await png(300, 200))
      .jpeg()
      .withExif({ IFD0: { Copyright: "secret place", Artist: "someone" } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    expect((await upload(campaign.id, organiser.cookie, { bytes: jpeg, name: "photo.jpg", type: "image/jpeg" })).status).toBe(200);
    const rows = await storedImages(campaign.id);
    expect(rows.map((r) => r.width)).toEqual([300]);
    const served = Buffer.from(await (await fetch(`${web.url}/media/campaigns/${campaign.id}/${rows[0]!.hash}-300.webp`)).arrayBuffer());
    const meta = await sharp(served).metadata();
    expect(meta.exif).toBeUndefined();
    expect(served.includes(Buffer.from("secret place"))).toBe(false);
  });

  it("reject an oversized, a fake and a corrupt upload with a field error, writing nothing", async () => {
    const { campaign, organiser } = await campaignOfNewOrganisation();
    const cases = [
      // 6 MB that starts like a PNG: stopped by size while streaming, whatever it contains.
      { file: { bytes: Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), randomBytes(6 * 1024 * 1024)]), name: "big.png", type: "image/png" }, message: "larger than 5 MB" },
      // Text with a picture's name and type: refused by its first bytes.
      { file: { bytes: Buffer.from("just some text, honestly\n".repeat(100)), name: "notes.png", type: "image/png" }, message: "not a JPEG, PNG or WebP picture" },
      // A PNG signature followed by garbage: sharp cannot decode it.
      { file: { bytes: Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), randomBytes(5000)]), name: "broken.png", type: "image/png" }, message: "could not be read" },
      { file: null, message: "Choose a picture to upload." },
    ];
    for (const { file, message } of cases) {
      const res = await upload(campaign.id, organiser.cookie, file);
      expect(res.status, message).toBe(400);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toMatch(/<input id="f-image"[^>]*aria-invalid="true"[^>]*aria-describedby="f-image-error"/);
    }
    expect(await storedImages(campaign.id)).toEqual([]);
    expect(await t.db.selectFrom("campaign_heroes").selectAll().where("campaign_id", "=", campaign.id).execute()).toEqual([]);
  });

  it("need a description, and belong to the campaign's organisation only", async () => {
    const { campaign, organiser } = await campaignOfNewOrganisation();
    const bytes = await png(600, 300);
    const noAlt = await upload(campaign.id, organiser.cookie, { bytes, name: "a.png", type: "image/png" }, "   ");
    expect(noAlt.status).toBe(400);
    expect(await noAlt.text()).toContain("Describe the picture in a few words.");
    const outsider = await signedInUser(t.db, { organisationId: (await createOrganisation(t.db)).id });
    expect((await upload(campaign.id, outsider.cookie, { bytes, name: "a.png", type: "image/png" })).status).toBe(404);
    expect((await fetch(`${web.url}/dashboard/campaigns/${campaign.id}/image`, { headers: { Cookie: outsider.cookie } })).status).toBe(404);
    expect(await storedImages(campaign.id)).toEqual([]);
  });
});
