import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { existsSync } from "node:fs";
import path from "node:path";
import { compression } from "./compression";
import { SIGN_FORM_PATHS, signFormPost } from "./sign-form-post";
import { renderMetrics } from "~/utils/metrics.server";
import { readiness } from "~/utils/health.server";
import { closeServices } from "~/services.server";
import { resolveClientAddress } from "~/utils/client-address.server";
import { env, EnvError } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import type { BannerLoadContext } from "~/utils/http.server";
import { EMBED_PATH_PREFIX, FRAME_DENY_POLICY } from "~/modules/embeds/framing";

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

  // One JSON line per request; secrets in paths (verification and export tokens) never reach the logs.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      logger.info(
        {
          method: req.method,
          path: req.path.replace(/^\/(verify|exports)\/[^/]+/, "/$1/:token"),
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        },
        "request",
      );
    });
    next();
  });

  // Remix refuses a state-changing request whose Origin is another host, but by throwing (a 500).
  // Answer it here instead, with a clear 403 (the same rule: Origin must match the host).
  app.use((req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    // The OSDI API authenticates by its OSDI-API-Token header and never reads cookies, so a
    // request from another origin carries no ambient authority: nothing to forge.
    // The path as Remix will route it (dot segments resolved), so "/api/osdi/../login" is not exempt.
    if (new URL(req.originalUrl, "http://banner.invalid").pathname.startsWith("/api/osdi/")) return next();
    const origin = req.get("origin");
    if (origin === undefined) return next();
    const host = (req.get("x-forwarded-host")?.split(",")[0] ?? req.get("host") ?? "").trim();
    let originHost: string | null;
    try {
      originHost = origin === "null" ? null : new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (originHost && originHost === host) return next();
    res
      .status(403)
      .set("Cache-Control", "no-store")
      .type("text/plain")
      .send("This form was sent from another site, so it was not accepted. Open the page on this site and try again.\n");
  });

  // No other site may frame our pages (clickjacking), except the widget under /embed/, whose routes
  // send a frame-ancestors list of the origins its organisers allowed. A widget response without
  // one (an error page) is denied like the rest, just before its headers go out.
  app.use((req, res, next) => {
    if (!req.path.startsWith(EMBED_PATH_PREFIX)) {
      res.setHeader("X-Frame-Options", "DENY");
      res.setHeader("Content-Security-Policy", FRAME_DENY_POLICY);
      return next();
    }
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      if (!res.hasHeader("Content-Security-Policy")) res.setHeader("Content-Security-Policy", FRAME_DENY_POLICY);
      return writeHead(...args);
    }) as typeof res.writeHead;
    next();
  });

  // A signed-in page carries the user's name and links: never let a shared cache keep it.
  app.use((req, res, next) => {
    if (!req.headers.cookie?.includes("banner_session=")) return next();
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) =>
      setHeader(name, name.toLowerCase() === "cache-control" ? "private, no-store" : value);
    res.setHeader("Cache-Control", "private, no-store");
    next();
  });

  // X-Forwarded-For is believed only from TRUSTED_PROXIES; otherwise the socket address is the client.
  const clientIp = (req: express.Request) => resolveClientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUSTED_PROXIES);

  // The plain (no-JavaScript) sign form, answered without Remix's per-request routing cost.
  // Its 303 has no body; what it passes on to Remix still goes through compression below.
  app.post(SIGN_FORM_PATHS, signFormPost(clientIp));

  // Pages, styles and scripts go out brotli- or gzip-compressed (phones on slow connections).
  app.use(compression());


  let build: ServerBuild | (() => Promise<ServerBuild>);
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
    app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
    build = (await import(serverBuild)) as ServerBuild;
  }

  app.all(
    "*",
    createRequestHandler({
      build,
      mode: dev ? "development" : process.env.NODE_ENV,
      // The client address is worked out only for the requests that ask for it (sign, limits, audit).
      getLoadContext: (req, res): BannerLoadContext => {
        let ip: string | null | undefined;
        return {
          get clientIp() {
            return ip === undefined ? (ip = clientIp(req)) : ip;
          },
          presignedSign: res.locals.presignedSign,
          presignedError: res.locals.presignedError,
        };
      },
    }),
  );

  const server = app.listen(config.PORT, () => {
    logger.info({ port: config.PORT, url: config.APP_URL, dev }, "web listening");
  });
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "web stopping: finishing open requests");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.close(async () => {
      await viteClose?.();
      await closeServices();
      logger.info("web stopped");
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  logger.fatal({ err: String(error?.stack ?? error) }, "web failed to start");
  process.exit(1);
});
