/**
 * The compression middleware (server/compression.ts) holds a body that is complete within one turn
 * and compresses it in one call, sent with its length; a body still being written after that turn,
 * or a large one, is compressed as a stream. Either way the bytes decode to exactly what was written.
 */
import express from "express";
import { request, type Server } from "node:http";
import { setImmediate as turn } from "node:timers/promises";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compression } from "../../server/compression";

const piece = (i: number) => `<p>piece ${i} ${"ہدف کا ".repeat(40)}</p>\n`;
const pieces = (n: number) => Array.from({ length: n }, (_, i) => piece(i));

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(compression());
  // All written in one turn, as Remix writes a rendered page.
  app.get("/whole", (_req, res) => {
    res.type("text/html");
    for (const p of pieces(50)) res.write(p);
    res.end();
  });
  // Written over several turns: a streamed response.
  app.get("/streamed", async (_req, res) => {
    res.type("text/html");
    for (const p of pieces(50)) {
      res.write(p);
      await turn();
    }
    res.end(piece(50));
  });
  // Larger than what is held in memory.
  app.get("/large", (_req, res) => {
    res.type("text/plain");
    for (const p of pieces(5000)) res.write(p);
    res.end();
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

function get(path: string, encoding: string) {
  return new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    request(`${base}${path}`, { headers: { "Accept-Encoding": encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

describe("compression middleware", () => {
  it("compresses a body written in one turn in one piece, with its length", async () => {
    const br = await get("/whole", "br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(Number(br.headers["content-length"])).toBe(br.body.length);
    expect(brotliDecompressSync(br.body).toString("utf8")).toBe(pieces(50).join(""));
    const gz = await get("/whole", "gzip");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).toString("utf8")).toBe(pieces(50).join(""));
  });

  it("streams a body still being written after that turn, and one too large to hold, byte-exact", async () => {
    const streamed = await get("/streamed", "br");
    expect(streamed.headers["content-encoding"]).toBe("br");
    expect(streamed.headers["content-length"]).toBeUndefined();
    expect(brotliDecompressSync(streamed.body).toString("utf8")).toBe(pieces(51).join(""));

    const large = await get("/large", "gzip");
    expect(large.headers["content-length"]).toBeUndefined();
    expect(gunzipSync(large.body).toString("utf8")).toBe(pieces(5000).join(""));
  });
});
