import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import path from "node:path";
import { compression } from "./compression";
import { guardRequest, guards } from "./guards";
import { securityHeaders } from "./security-headers";
import { signFormPost } from "./sign-form-post";
import { renderMetrics } from "~/utils/metrics.server";
import { readiness } from "~/utils/health.server";
import { closeServices } from "~/services.server";
import { arrivedOverHttps, resolveClientAddress } from "~/utils/client-address.server";
import { env, EnvError } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import type { BannerLoadContext } from "~/utils/http.server";

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

  // Log line, cross-site form check, framing headers, no shared caching when signed in.
  app.use(guards);

  // X-Forwarded-For is believed only from TRUSTED_PROXIES; otherwise the socket address is the client.
  const clientIp = (req: IncomingMessage) => resolveClientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUSTED_PROXIES);

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
          cspNonce: typeof res.locals.cspNonce === "string" ? res.locals.cspNonce : undefined,
          viaHttps: arrivedOverHttps(req, config),
          presignedSign: res.locals.presignedSign,
          presignedError: res.locals.presignedError,
        };
      },
    }),
  );

  // The plain sign form is answered before Express (server/sign-form-post.ts); what it passes on,
  // and every other request, goes to Express and Remix.
  const signForm = signFormPost(clientIp);
  const applySecurityHeaders = securityHeaders({ dev });
  const server = createServer((req, res) => {
    applySecurityHeaders(req, res);
    const target = signForm.target(req);
    if (!target) return void app(req, res);
    if (!guardRequest(req, res)) return;
    void signForm.handle(req, res, target, () => app(req, res));
  });
  server.listen(config.PORT, () => {
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
