/**
 * The built web server, worker, render thread and Remix server build carry their packages
 * (build-tools/bundle-node.ts, ADR 0025): the only packages they import at run time are the ones
 * left out on purpose (build-tools/node-externals.ts). A package imported from node_modules
 * again would cost every process start the resolving and reading the bundling took away. And they
 * carry React's production build only, whatever NODE_ENV the process runs with.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import * as esbuild from "esbuild";
import { expect, it } from "vitest";
import { NODE_EXTERNALS } from "../../build-tools/node-externals";

const BUILD = path.resolve(import.meta.dirname, "../../build");

it("import no package but the ones left out on purpose", async () => {
  // esbuild follows the bundles' imports of each other (their shared chunks) and lists every
  // import of a package or Node module, static or require(), without reading node_modules.
  const { metafile } = await esbuild.build({
    entryPoints: ["web.js", "worker.js", "page-render-worker.js", "server/index.js"].map((f) => path.join(BUILD, f)),
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outdir: path.join(BUILD, "unused"),
    logLevel: "silent",
  });
  const imported = new Set(Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path)));
  const isNode = (specifier: string) => specifier.startsWith("node:") || builtinModules.includes(specifier);
  const leftOut = (specifier: string) => NODE_EXTERNALS.some((e) => (e.endsWith("/*") ? specifier.startsWith(e.slice(0, -1)) : specifier === e));
  // The scan reads what the server imports: Node's own http module is among it.
  expect(imported.has("node:http")).toBe(true);
  expect([...imported].filter((s) => !isNode(s) && !leftOut(s)).sort()).toEqual([]);
});

it("carry React's production build only", () => {
  // A warning only React's development build has; the check would prove nothing if React no longer said it.
  const DEVELOPMENT_ONLY = "Each child in a list should have a unique";
  const root = path.resolve(import.meta.dirname, "../..");
  expect(readFileSync(path.join(root, "node_modules/react/cjs/react.development.js"), "utf8")).toContain(DEVELOPMENT_ONLY);
  expect(readFileSync(path.join(root, "node_modules/react/cjs/react.production.min.js"), "utf8")).not.toContain(DEVELOPMENT_ONLY);
  const files = readdirSync(BUILD, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js") && !f.startsWith("client"));
  expect(files).toEqual(expect.arrayContaining(["web.js", "worker.js", path.join("server", "index.js")]));
  expect(files.filter((f) => readFileSync(path.join(BUILD, f), "utf8").includes(DEVELOPMENT_ONLY))).toEqual([]);
});
