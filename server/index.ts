import { createRequestHandler } from "@remix-run/express";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import express from "express";
import { existsSync, readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import net from "node:net";
import path from "node:path";
import { z } from "zod";
import { compression } from "./compression";
import { guardRequest, guards } from "./guards";
import { createPageCache } from "./page-cache";
import { securityHeaders } from "./security-headers";
import { signFormPost } from "./sign-form-post";
import { verifyFormPost } from "./verify-form-post";
import { renderMetrics } from "~/utils/metrics.server";
import { readiness } from "~/utils/health.server";
import { closeServices } from "~/services.server";
import { arrivedOverHttps, resolveClientAddress } from "~/utils/client-address.server";
import { env, EnvError } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");

function loadEnv() {
  try {
    return env();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}

async function main() {
  const config = loadEnv();
  const drainMs = shutdownDrainMs();
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);

  // Health and metrics answer before Remix, so they stay cheap and work when rendering would not.
  app.get("/healthz", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const result = await readiness();
    res.status(result.ok ? 200 : 503).set("Cache-Control", "no-store").json({ status: result.ok ? "ready" : "unavailable", checks: result.checks });
  });
  app.get("/metrics", async (_req, res) => {
    try {
      const { contentType, body } = await renderMetrics();
      res.set("Content-Type", contentType).set("Cache-Control", "no-store").send(body);
    } catch (error) {
      logger.error({ err: String(error) }, "metrics failed");
      res.status(503).type("text/plain").send("metrics unavailable\n");
    }
  });

  // Log line, cross-site form check, framing headers, no shared caching when signed in.
  app.use(guards);

  // X-Forwarded-For is believed only from TRUSTED_PROXIES; otherwise the socket address is the client.
  const clientIp = (req: IncomingMessage) => resolveClientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUSTED_PROXIES);

  // Pages, styles and scripts go out brotli- or gzip-compressed (phones on slow connections).
  app.use(compression());

  // While draining (after SIGTERM) every response says `Connection: close`, so each keep-alive
  // client learns to reconnect (to another process) from an answer instead of a reset.
  let draining = false;
  let build: ServerBuild | (() => Promise<ServerBuild>);
  let pageCache: ReturnType<typeof createPageCache> | undefined;
  let verifyForm: ReturnType<typeof verifyFormPost> | undefined;
  let viteClose: (() => Promise<void>) | undefined;
  if (dev) {
    const vite = await import("vite");
    const viteDevServer = await vite.createServer({ root, server: { middlewareMode: true } });
    app.use(viteDevServer.middlewares);
    build = () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
    viteClose = () => viteDevServer.close();
  } else {
    const serverBuild = path.join(root, "build/server/index.js");
    if (!existsSync(serverBuild)) {
      console.error("No build found: run `npm run build` first (npm start does this for you).");
      process.exit(1);
    }
    // Fingerprinted assets never change; everything else in public/ may.
    app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
    // Only requests whose first segment names something at the top of build/client can be a
    // file there: every other request (every page) skips the static handler and its failed stat.
    // The build is fixed for the life of the process, so its top level is read once.
    const clientDir = path.join(root, "build/client");
    const topLevel = new Set(readdirSync(clientDir));
    const serveClient = express.static(clientDir, { maxAge: "1h" });
    app.use((req, res, next) => {
      const first = req.path.split("/", 2)[1] ?? "";
      let name: string;
      try {
        name = decodeURIComponent(first);
      } catch {
        name = first;
      }
      if (topLevel.has(name)) return serveClient(req, res, next);
      next();
    });
    build = (await import(serverBuild)) as ServerBuild;
    // Public pages from memory, before Express (server/page-cache.ts); not in development, where
    // every request should show the code as it is now.
    // The confirm button of the verification link, before Express (server/verify-form-post.ts).
    verifyForm = verifyFormPost({ build, mode: process.env.NODE_ENV });
    if (config.PAGE_CACHE === "on") pageCache = createPageCache({ buildPath: serverBuild, mode: process.env.NODE_ENV, freshMs: config.PAGE_CACHE_FRESH_MS, closing: () => draining });
  }

  app.all(
    "*",
    createRequestHandler({
      build,
      mode: dev ? "development" : process.env.NODE_ENV,
      // The client address is worked out only for the requests that ask for it (sign, limits, audit).
      getLoadContext: (req, res): AppLoadContext => {
        let ip: string | null | undefined;
        return {
          get clientIp() {
            return ip === undefined ? (ip = clientIp(req)) : ip;
          },
          cspNonce: typeof res.locals.cspNonce === "string" ? res.locals.cspNonce : undefined,
          viaHttps: arrivedOverHttps(req, config),
          presignedSign: res.locals.presignedSign,
          presignedError: res.locals.presignedError,
          posted: res.locals.posted,
        };
      },
    }),
  );

  // The plain sign form (server/sign-form-post.ts), the verification link's confirm button
  // (server/verify-form-post.ts) and anonymous views of public pages
  // (server/page-cache.ts) are answered before Express; what they pass on, and every other
  // request, goes to Express and Remix.
  const signForm = signFormPost(clientIp);
  const applySecurityHeaders = securityHeaders({ dev });
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader("Connection", "close");
    applySecurityHeaders(req, res);
    const target = signForm.target(req);
    if (target) {
      if (!guardRequest(req, res)) return;
      return void signForm.handle(req, res, target, () => app(req, res));
    }
    const link = verifyForm?.target(req);
    if (link) {
      if (!guardRequest(req, res)) return;
      return void verifyForm!.handle(req, res, link, () => app(req, res));
    }
    app(req, res);
  };
  // A copy from memory carries its security headers with it; nothing is set on the response first.
  const server = createServer(pageCache ? (req, res) => pageCache.handle(req, res, () => answer(req, res)) : answer);
  server.listen(config.PORT, () => {
    logger.info({ port: config.PORT, url: config.APP_URL, dev }, "web listening");
  });
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    draining = true;
    logger.info({ signal, drainMs: drainMs }, "web stopping: draining keep-alive connections, finishing open requests");
    const force = setTimeout(() => {
      logger.error("web did not stop within 30 s; exiting");
      process.exit(1);
    }, drainMs + 30_000);
    force.unref();
    // Not server.close(): since Node 19 it also closes idle keep-alive connections at once, and a
    // client may be writing its next request onto one just then (a reset). Instead: stop
    // accepting connections (net.Server's close), answer every request on the open ones with
    // `Connection: close` (so a busy connection closes after its next answer), and after
    // `drainMs` close only the connections that stayed quiet all that time.
    const closed = () => {
      void (async () => {
        await viteClose?.();
        await closeServices();
        logger.info("web stopped");
        process.exit(0);
      })();
    };
    net.Server.prototype.close.call(server, closed);
    setTimeout(() => server.closeIdleConnections(), drainMs).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** SHUTDOWN_DRAIN_MS (default 5000): how long a stopping web process drains keep-alive connections. */
function shutdownDrainMs(): number {
  const parsed = z.coerce.number().int().min(0).max(60_000).default(5_000).safeParse(process.env.SHUTDOWN_DRAIN_MS || undefined);
  if (!parsed.success) {
    console.error("SHUTDOWN_DRAIN_MS: expected a whole number of milliseconds between 0 and 60000");
    process.exit(78);
  }
  return parsed.data;
}

main().catch((error) => {
  logger.fatal({ err: String(error?.stack ?? error) }, "web failed to start");
  process.exit(1);
});
