/**
 * The page cache's renderer (server/page-cache.ts), in a worker thread of its own: renders a
 * public page through Remix exactly as a request without cookies would be, decides whether it may
 * be kept, and compresses it. A render and its compression take several milliseconds of CPU; on
 * the main thread every cached answer waiting behind them would wait that long too (the p99 of
 * cached views). Here they run beside the main thread, which only answers from memory. ADR 0022.
 *
 * Messages in: { id, host, url }. Messages out: { id, outcome }, where outcome is a RenderedCopy,
 * "pass" (not cacheable: Remix on the main thread answers it as usual) or "failed" (a 5xx or an
 * exception: an older copy is served if there is one).
 */
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { createHash } from "node:crypto";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { AppLoadContext } from "@remix-run/node";
import { CACHED_BROTLI_QUALITY, compressWhole } from "./compression";

export interface RenderRequest {
  id: number;
  host: string;
  url: string;
}

export interface RenderedCopy {
  /** the response's own headers, lower-case, without length, encoding and transfer framing */
  headers: Record<string, string>;
  identity: Uint8Array;
  gzip: Uint8Array | null;
  br: Uint8Array | null;
  /** the strong validator of the identity bytes, without its closing quote (one per encoding is made from it) */
  etagStem: string;
  /** when the render started: its data is at least this fresh */
  renderedAt: number;
}

export type RenderOutcome = RenderedCopy | "pass" | "failed";

export interface RenderReply {
  id: number;
  outcome: RenderOutcome;
  error?: string;
}

export interface RenderWorkerData {
  buildPath: string;
  mode: string | undefined;
}

const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|xml)|image\/svg\+xml)/i;
const MIN_COMPRESS_BYTES = 1024;

/**
 * The last compressed bytes of each URL, by the page they were made from. Under a surge a page
 * is re-rendered about twice a second whether or not anything on it changed; when its bytes are
 * the same as last time, so are their compressions.
 */
const lastCompressed = new Map<string, { identity: Buffer; br: Buffer; gzip: Buffer }>();
const MAX_REMEMBERED = 500;

/**
 * Brotli at quality 5 (one more than server/compression.ts uses per request: a copy is made
 * about twice a second, not per view) and gzip at 6. Quality 9 made the campaign page 0.4 %
 * smaller (7.31 KB against 7.34 KB) for 15 times the CPU (about 22 ms against 1.6 ms): with a
 * re-render every half second per page and language, that was this thread's largest cost, taken
 * from the cores that answer the cached views.
 */
function compressed(url: string, identity: Buffer): { br: Buffer; gzip: Buffer } {
  const last = lastCompressed.get(url);
  if (last && last.identity.equals(identity)) return last;
  // Synchronous: this thread has nothing else to do meanwhile.
  const made = {
    identity,
    br: compressWhole("br", identity, CACHED_BROTLI_QUALITY),
    gzip: compressWhole("gzip", identity),
  };
  lastCompressed.delete(url);
  lastCompressed.set(url, made);
  if (lastCompressed.size > MAX_REMEMBERED) lastCompressed.delete(lastCompressed.keys().next().value!);
  return made;
}

async function renderCopy(render: ReturnType<typeof createRequestHandler>, host: string, url: string): Promise<RenderOutcome> {
  // The copy's age counts from before its data was read, not from when its bytes were ready.
  const renderedAt = Date.now();
  const context: AppLoadContext = { clientIp: null, presignedSign: undefined, presignedError: undefined };
  const response = await render(new Request(`http://${host}${url}`, { headers: { "User-Agent": "banner-page-cache" } }), context);
  const cacheControl = response.headers.get("Cache-Control") ?? "";
  if (response.status >= 500) {
    await response.body?.cancel();
    return "failed";
  }
  if (response.status !== 200 || !/\bpublic\b/.test(cacheControl) || response.headers.has("Set-Cookie")) {
    await response.body?.cancel();
    return "pass";
  }
  const identity = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // Length and encoding are set per copy; Vary is only the encoding (the URL names the language).
    if (name !== "content-length" && name !== "content-encoding" && name !== "vary" && name !== "transfer-encoding") headers[name] = value;
  });
  const type = headers["content-type"] ?? "";
  const compress = COMPRESSIBLE.test(type) && identity.length >= MIN_COMPRESS_BYTES && !/\bno-transform\b/.test(cacheControl);
  const { br, gzip } = compress ? compressed(url, identity) : { br: null, gzip: null };
  if (COMPRESSIBLE.test(type)) headers["vary"] = "Accept-Encoding";
  const etagStem = headers["etag"]?.replace(/"$/, "") ?? `"${createHash("sha1").update(identity).digest("base64url").slice(0, 22)}`;
  delete headers["etag"];
  return { headers, identity, gzip, br, etagStem, renderedAt };
}

/**
 * This thread yields to the event loop that answers views: on Linux a thread has a nice value of its
 * own, and setpriority for "this process" (pid 0) sets the calling thread's alone. A re-render then
 * fills the CPU time the answers leave, instead of taking a core's share from them (the p99 of
 * cached views under a surge). Where lowering it is refused, it renders at the process's priority.
 */
function yieldToAnswers() {
  try {
    os.setPriority(0, Math.min(19, os.getPriority(0) + RENDER_NICENESS));
  } catch {
    // not permitted here: render at the same priority
  }
}
const RENDER_NICENESS = 10;

async function main(port: NonNullable<typeof parentPort>, data: RenderWorkerData) {
  yieldToAnswers();
  const build = (await import(pathToFileURL(data.buildPath).href)) as ServerBuild;
  const render = createRequestHandler(build, data.mode);
  port.on("message", (message: RenderRequest) => {
    renderCopy(render, message.host, message.url).then(
      (outcome) => port.postMessage({ id: message.id, outcome } satisfies RenderReply),
      (error: unknown) => port.postMessage({ id: message.id, outcome: "failed", error: String((error as Error)?.stack ?? error) } satisfies RenderReply),
    );
  });
}

if (parentPort) void main(parentPort, workerData as RenderWorkerData);
