/**
 * Bundles the web server and the worker into plain JavaScript (build/web.js, build/worker.js), so
 * production runs `node build/web.js` with no TypeScript loader in memory. Run by `npm run build`
 * after the Remix build, in two steps:
 *
 * 1. Vite compiles our own code (server/, workers/, app/) into build/.stage/, with the same
 *    aliases and asset handling as the Remix build; packages stay imports there.
 * 2. esbuild bundles those files and the Remix server build (build/server/index.js) together with
 *    the packages they import, into build/, the code they share in build/chunks/. A process then
 *    reads a few large files rather than resolving, reading and compiling about a thousand small
 *    ones in node_modules. Measured here (`npm run bench -- startup`, and the tests' web servers):
 *    production's `node build/web.js` answered its first health check in 768 ms against 1,298 ms
 *    before; a test web server took 0.9-1.0 s of CPU to start against 1.75 s, and a test run
 *    starts about sixty of them.
 *
 * The bundles are minified in whitespace and syntax only: names stay, so a stack trace reads as
 * before, and their source maps lead to our TypeScript (esbuild follows Vite's maps). The maps
 * leave the sources' text out: `--enable-source-maps` holds every map it loads in memory, and
 * with the text of every package in them a web process held 60 MB more (204 MB when ready, against
 * 145 MB before bundling; 132 MB this way).
 *
 * Packages with native code and those only a development run imports stay imports from
 * node_modules (./node-externals.ts). Bundled CommonJS code gets
 * `require`, `__filename` and `__dirname` as Node gives them to an ES module's neighbours.
 *
 * The files sit directly in build/ so that `import.meta.dirname + "/.."` is the project root, as
 * it is for server/index.ts and workers/index.ts.
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { build } from "vite";
import { NODE_EXTERNALS } from "./node-externals";

const root = fileURLToPath(new URL("..", import.meta.url));
const alias = { "~": fileURLToPath(new URL("../app", import.meta.url)) };
const out = path.join(root, "build");
const stage = path.join(out, ".stage");

rmSync(stage, { recursive: true, force: true });
await build({
  configFile: false,
  root,
  logLevel: "warn",
  resolve: { alias },
  build: {
    ssr: true,
    outDir: stage,
    emptyOutDir: true,
    target: "node20",
    minify: false,
    sourcemap: true,
    copyPublicDir: false,
    rollupOptions: {
      // The page cache's render thread is a file of its own, started by build/web.js.
      input: { web: "server/index.ts", worker: "workers/index.ts", "page-render-worker": "server/page-render-worker.ts" },
      output: { format: "es", entryFileNames: "[name].js", chunkFileNames: "chunks/[name]-[hash].js" },
    },
  },
});

/**
 * React's production build, whatever NODE_ENV says when the bundle runs. React's entry files
 * (react/index.js, react-dom/server.node.js, …) choose their development or production build by
 * NODE_ENV at run time, so both were bundled and the tests' servers (NODE_ENV=test) rendered every
 * page with React's development build, which production never runs. Reading NODE_ENV as
 * "production" in those entry files alone leaves only the production build in the bundle (the
 * other branch is dropped as dead code). `npm run dev` does not use these bundles.
 */
const reactInProduction: esbuild.Plugin = {
  name: "react-in-production",
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/][^\\/]+\.js$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replaceAll("process.env.NODE_ENV", '"production"'),
      loader: "js",
    }));
  },
};

// The chunks of the last build; their names change with their content.
rmSync(path.join(out, "chunks"), { recursive: true, force: true });
rmSync(path.join(out, "node-chunks"), { recursive: true, force: true }); // builds before the bundling
await esbuild.build({
  absWorkingDir: root,
  entryPoints: {
    web: path.join(stage, "web.js"),
    worker: path.join(stage, "worker.js"),
    "page-render-worker": path.join(stage, "page-render-worker.js"),
    // build/web.js imports the Remix build by its path at run time, so it is an entry of its own;
    // what it shares with the server (React, the app's modules) goes to a shared chunk.
    "server/index": path.join(out, "server/index.js"),
  },
  allowOverwrite: true,
  outdir: out,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  sourcesContent: false,
  minifyWhitespace: true,
  minifySyntax: true,
  external: NODE_EXTERNALS,
  plugins: [reactInProduction],
  define: { __dirname: "import.meta.dirname", __filename: "import.meta.filename" },
  // esbuild's shim for a CommonJS `require` of a Node module calls the real one when there is one.
  banner: { js: 'import { createRequire as __bannerCreateRequire } from "node:module";\nconst require = __bannerCreateRequire(import.meta.url);' },
  // Vite's output keeps bare imports of packages that declare no side effects; dropping them is right.
  logOverride: { "ignored-bare-import": "silent" },
  logLevel: "warning",
});
rmSync(stage, { recursive: true, force: true });
