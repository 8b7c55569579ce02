import { createHash } from "node:crypto";
import path from "node:path";
import { build, type Plugin, type Rollup } from "vite";

const QUERY = "?script";

/**
 * `import src from "~/enhance/public-page?script"` gives the URL of that module bundled on its own
 * (with what it imports, minified) into one fingerprinted file under /assets/: a page script for
 * the pages React does not hydrate, served from our origin like any other asset (no inline code,
 * so it runs under `script-src 'self'`). It shares no chunk with the React bundle, so a page that
 * loads it downloads only what it imports.
 *
 * In development the URL is the module's own path, which Vite's dev server compiles on request.
 */
export function standaloneScript({ alias }: { alias: Record<string, string> }): Plugin {
  let command: "build" | "serve" = "build";
  let root = process.cwd();
  return {
    name: "banner:standalone-script",
    configResolved(config) {
      command = config.command;
      root = config.root;
    },
    async load(id) {
      if (!id.endsWith(QUERY)) return null;
      const file = id.slice(0, -QUERY.length);
      if (command === "serve") return `export default ${JSON.stringify(`/${path.relative(root, file)}`)};`;
      const result = (await build({
        configFile: false,
        root,
        logLevel: "warn",
        resolve: { alias },
        build: {
          write: false,
          minify: true,
          target: "es2020",
          modulePreload: false,
          rollupOptions: { input: file, output: { format: "es", inlineDynamicImports: true } },
        },
      })) as Rollup.RollupOutput | Rollup.RollupOutput[];
      const [chunk] = (Array.isArray(result) ? result[0]! : result).output;
      if (chunk.type !== "chunk") throw new Error(`${file}: no script came out of the build`);
      this.addWatchFile(file);
      // The same content gives the same name in the client and the server build.
      const hash = createHash("sha256").update(chunk.code).digest("base64url").slice(0, 8).replace(/[-_]/g, "0");
      const fileName = `assets/${path.basename(file, path.extname(file))}-${hash}.js`;
      this.emitFile({ type: "asset", fileName, source: chunk.code });
      return `export default ${JSON.stringify(`/${fileName}`)};`;
    },
  };
}
