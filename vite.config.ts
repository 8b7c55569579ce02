import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import { standaloneScript } from "./build-tools/standalone-script";

const alias = { "~": fileURLToPath(new URL("./app", import.meta.url)) };

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig(({ isSsrBuild }) => ({
  resolve: {
    alias,
  },
  // The server build gets a source map, which build-tools/bundle-node.ts carries through into
  // the bundle it makes of it: a stack trace from a route then names the route's own file. The
  // browser's build gets none (nothing to serve to every visitor).
  build: { sourcemap: isSsrBuild === true },
  plugins: [
    standaloneScript({ alias }),
    remix({
      ignoredRouteFiles: ["**/*.test.ts", "**/*.test.tsx"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
        v3_routeConfig: true,
      },
    }),
  ],
}));
