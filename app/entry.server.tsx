/**
 * Remix's default Node entry (bots wait for the whole page, browsers get it streamed), with four
 * changes:
 * - the output has the zero bytes React 18 leaves where an Arabic-script letter meets a buffer
 *   boundary removed (app/utils/zero-padding.server.ts);
 * - a page that renders no scripts (`hydrate: false`) is rendered without the serialised loader
 *   data that only Remix's scripts read, and to a string in one call (nothing on it can suspend);
 * - a page that is complete when its shell is (nothing left waiting in a Suspense boundary, which
 *   is every page we have) is answered as one buffer rather than streamed: React writes it in 2 KB
 *   pieces, and passing each through two Node streams, a web stream and the compressor cost more
 *   than the render of the page itself. A page still waiting on data when its shell is ready is
 *   streamed as before.
 */
import { PassThrough, type Writable } from "node:stream";
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream, renderToString } from "react-dom/server";
import type { RouteHandle } from "~/root";
import { NonceContext } from "~/utils/nonce";
import { dropZeroPadding, withoutZeroBytes } from "~/utils/zero-padding.server";

const ABORT_DELAY = 5_000;

export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext, loadContext?: AppLoadContext) {
  // The Content-Security-Policy nonce of this response (server/security-headers.ts); none under the dev server.
  const nonce = loadContext?.cspNonce;
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  if (rendersNoScripts(remixContext)) {
    // The loader data, serialised for hydration, would be written after a <Scripts> this page
    // does not render: dropped unread, so it is never encoded (patches/@remix-run+server-runtime
    // makes it encode on first read; the encoding was about a twentieth of an uncached render).
    delete (remixContext as { serverHandoffStream?: unknown }).serverHandoffStream;
    // Nothing on such a page can suspend (no scripts, so no streamed loader data; we use no
    // <Suspense>, <Await> or lazy()): it is rendered straight to one string, without React's
    // stream writer (its 2 KB UTF-8 pieces, then our collecting them).
    responseHeaders.set("Content-Type", "text/html");
    const html = renderToString(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
    );
    // As bytes: a string body is checked for lone surrogates and encoded again by the Response.
    return new Response(Buffer.from(`<!DOCTYPE html>${html}`), { headers: responseHeaders, status: responseStatusCode });
  }
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    let allReady = false;
    const respond = (body: BodyInit, status: number) => {
      responseHeaders.set("Content-Type", "text/html");
      resolve(new Response(body, { headers: responseHeaders, status }));
    };
    // Still waiting on data: the shell goes out now, the rest as it comes.
    const streamed = (status: number) => {
      const body = new PassThrough();
      const clean = dropZeroPadding();
      body.pipe(clean);
      respond(createReadableStreamFromReadable(clean), status);
      pipe(body);
    };
    // Complete: React writes the whole document at once into this, synchronously, then ends it.
    const whole = (status: number) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      const sink = {
        write(chunk: Uint8Array | string) {
          const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
          chunks.push(bytes);
          size += bytes.byteLength;
          return true;
        },
        end() {
          clearTimeout(timer);
          const html = withoutZeroBytes(Buffer.concat(chunks, size));
          respond(new Uint8Array(html.buffer as ArrayBuffer, html.byteOffset, html.byteLength), status);
        },
        destroy(error?: Error) {
          clearTimeout(timer);
          reject(error ?? new Error("the page's render was aborted"));
        },
        on() {
          return sink;
        },
      };
      pipe(sink as unknown as Writable);
    };
    const ready = () => {
      shellRendered = true;
      // The status as it is now: a streamed page's could not change after its shell went out either.
      const status = responseStatusCode;
      // React reports "all ready", when it is, right after "shell ready" and in the same turn.
      queueMicrotask(() => (allReady ? whole(status) : streamed(status)));
    };
    const app = (
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>
    );
    const { pipe, abort } = renderToPipeableStream(app, {
      nonce,
      onShellReady() {
        if (!waitForAll) ready();
      },
      onAllReady() {
        allReady = true;
        if (waitForAll) ready();
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        // Errors in the shell reject and are logged by Remix; log the ones after it.
        if (shellRendered) console.error(error);
      },
    });
    const timer = setTimeout(abort, ABORT_DELAY);
  });
}

/** A page marked `hydrate: false` (app/root.tsx's useHydrated): the server renders no Remix scripts. */
function rendersNoScripts(context: EntryContext): boolean {
  return context.staticHandlerContext.matches.some((m) => (context.routeModules[m.route.id]?.handle as RouteHandle | undefined)?.hydrate === false);
}
