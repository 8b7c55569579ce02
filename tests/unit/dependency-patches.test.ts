/**
 * The packages in node_modules carry the patches in patches/ (ADR 0023), applied by patch-package
 * on `npm ci`. An install that skipped them (`--ignore-scripts`, a dependency bumped without its
 * patch re-made) would still run, only without what they do: this says so instead.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const patches = readdirSync(path.join(root, "patches")).filter((f) => f.endsWith(".patch"));

describe("patched dependencies", () => {
  it("has patches to check", () => {
    expect(patches.length).toBeGreaterThan(0);
  });

  it.each(patches)("%s is applied: every line it adds is in the installed file", (file) => {
    const text = readFileSync(path.join(root, "patches", file), "utf8");
    // A patch may touch several files: its added lines, file by file.
    for (const part of text.split(/^diff --git /m).slice(1)) {
      const target = /^\+\+\+ b\/(.+)$/m.exec(part)![1]!;
      const installed = readFileSync(path.join(root, target), "utf8");
      const added = part
        .split("\n")
        .filter((line) => line.startsWith("+") && !line.startsWith("+++"))
        .map((line) => line.slice(1))
        .filter((line) => line.trim() !== "");
      expect(added.length, target).toBeGreaterThan(0);
      const missing = added.filter((line) => !installed.includes(line));
      expect(missing, `${target} lacks lines of ${file}: run npm ci (patch-package)`).toEqual([]);
    }
  });
});

describe("the router patch's kept matches (patches/@remix-run+router)", () => {
  // The patched build is the CommonJS one (what the server bundles and Remix's server runtime load).
  const { matchRoutes } = createRequire(import.meta.url)("@remix-run/router") as typeof import("@remix-run/router");
  const routes = [{ id: "root", path: "/", children: [{ id: "page", path: "campaigns/:slug" }, { id: "lang-page", path: ":lang/campaigns/:slug" }] }];

  it("gives every caller its own copy of a pathname's matches, as matching afresh would", () => {
    const first = matchRoutes(routes, "/ur/campaigns/kashmir")!;
    expect(first.map((m) => m.route.id)).toEqual(["root", "lang-page"]);
    // One params object per result, shared by its matches, as matchRouteBranch makes them.
    expect(first[0]!.params).toBe(first[1]!.params);
    (first[1]!.params as Record<string, string>).slug = "changed";
    first[1]!.pathname = "/changed";
    first.pop();
    const again = matchRoutes(routes, "/ur/campaigns/kashmir")!;
    expect(again).not.toBe(first);
    expect(again.map((m) => [m.route.id, m.pathname, m.params])).toEqual([
      ["root", "/", { lang: "ur", slug: "kashmir" }],
      ["lang-page", "/ur/campaigns/kashmir", { lang: "ur", slug: "kashmir" }],
    ]);
  });

  it("keeps pathnames apart, and a miss stays a miss", () => {
    expect(matchRoutes(routes, "/campaigns/one")!.at(-1)!.params).toEqual({ slug: "one" });
    expect(matchRoutes(routes, "/campaigns/two")!.at(-1)!.params).toEqual({ slug: "two" });
    expect(matchRoutes(routes, "/nowhere/at/all/here")).toBeNull();
    expect(matchRoutes(routes, "/nowhere/at/all/here")).toBeNull();
  });
});
