/**
 * Bundles the web server and the worker into plain JavaScript (build/web.js, build/worker.js), so
 * production runs `node build/web.js` with no TypeScript loader in memory. Run by `npm run build`
 * after the Remix build; packages stay imports from node_modules (Vite's SSR default), our own
 * code (server/, workers/, app/) is bundled in.
 *
 * The files sit directly in build/ so that `import.meta.dirname + "/.."` is the project root, as
 * it is for server/index.ts and workers/index.ts.
 */
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
const alias = { "~": fileURLToPath(new URL("../app", import.meta.url)) };

await build({
  configFile: false,
  root,
  logLevel: "warn",
  resolve: { alias },
  build: {
    ssr: true,
    outDir: "build",
    emptyOutDir: false,
    target: "node20",
    minify: false,
    sourcemap: true,
    copyPublicDir: false,
    rollupOptions: {
      // The page cache's render thread is a file of its own, started by build/web.js.
      input: { web: "server/index.ts", worker: "workers/index.ts", "page-render-worker": "server/page-render-worker.ts" },
      output: { format: "es", entryFileNames: "[name].js", chunkFileNames: "node-chunks/[name]-[hash].js" },
    },
  },
});
