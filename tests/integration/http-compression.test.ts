/**
 * Responses are compressed for browsers that accept it (low-bandwidth readers), byte-exact once
 * decoded, and never for types that are compressed already. Raw node:http, because fetch decodes.
 */
import { readdirSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { chooseEncoding } from "../../server/compression";
import { createCampaign } from "../support/fixtures";
import { integrationStack, type WebServer } from "../support/stack";


const stack = integrationStack({ label: "httpgzip", web: true });
let web: WebServer;
let slug: string;

beforeAll(async () => {
  web = stack.web;
  ({ slug } = await createCampaign(stack.database.db));
});

function get(pathname: string, acceptEncoding?: string, method = "GET") {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(`${web.url}${pathname}`, { method, headers: acceptEncoding ? { "Accept-Encoding": acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const asset = (pattern: RegExp) => {
  const file = readdirSync(path.resolve(import.meta.dirname, "../../build/client/assets")).find((f) => pattern.test(f));
  if (!file) throw new Error(`no built asset matches ${pattern}`);
  return `/assets/${encodeURIComponent(file)}`;
};

describe("response compression", () => {
  it("sends the campaign page brotli-compressed to browsers that accept it, gzip to the others, identical once decoded", async () => {
    const plain = await get(`/campaigns/${slug}`);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(String(plain.headers.vary)).toMatch(/Accept-Encoding/i);

    const br = await get(`/campaigns/${slug}`, "gzip, deflate, br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(String(br.headers.vary)).toMatch(/Accept-Encoding/i);
    expect(String(br.headers.vary)).not.toMatch(/Accept-Language|Cookie/i); // the language is in the URL
    // The whole page compressed in one call and sent with its length (server/compression.ts).
    expect(Number(br.headers["content-length"])).toBe(br.body.length);
    const decoded = brotliDecompressSync(br.body).toString("utf8");
    expect(decoded).toContain("<!DOCTYPE html>");
    expect(Buffer.byteLength(decoded)).toBe(plain.body.length);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);

    const gz = await get(`/campaigns/${slug}`, "gzip");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).length).toBe(plain.body.length);
  });

  it("compresses scripts and styles from the static handler, but not woff2 fonts, HEAD requests or refused encodings", async () => {
    const js = await get(asset(/^components-.*\.js$/), "br");
    expect(js.headers["content-encoding"]).toBe("br");
    expect(js.headers["cache-control"]).toMatch(/immutable/);
    const raw = await get(asset(/^components-.*\.js$/));
    expect(brotliDecompressSync(js.body).equals(raw.body)).toBe(true);

    const css = await get(asset(/^app-.*\.css$/), "gzip");
    expect(css.headers["content-encoding"]).toBe("gzip");

    const font = await get(asset(/^noto-nastaliq-urdu-400-.*\.woff2$/), "br, gzip");
    expect(font.headers["content-encoding"]).toBeUndefined();
    expect(Number(font.headers["content-length"])).toBe(font.body.length);

    const head = await get(`/campaigns/${slug}`, "br", "HEAD");
    expect(head.headers["content-encoding"]).toBeUndefined();
    expect(head.body.length).toBe(0);

    const refused = await get(`/campaigns/${slug}`, "br;q=0, gzip;q=0");
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(refused.body.toString("utf8")).toContain("<!DOCTYPE html>");
  });

  it("reads Accept-Encoding with its q-values", () => {
    expect(chooseEncoding(undefined)).toBeNull();
    expect(chooseEncoding("identity")).toBeNull();
    expect(chooseEncoding("gzip, br")).toBe("br");
    expect(chooseEncoding("br;q=0, gzip;q=0.8")).toBe("gzip");
    expect(chooseEncoding("*")).toBe("br");
    expect(chooseEncoding("*;q=0")).toBeNull();
  });
});
