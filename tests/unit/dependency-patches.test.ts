/**
 * The packages in node_modules carry the patches in patches/ (ADR 0023), applied by patch-package
 * on `npm ci`. An install that skipped them (`--ignore-scripts`, a dependency bumped without its
 * patch re-made) would still run, only without what they do: this says so instead.
 */
import { readdirSync, readFileSync } from "node:fs";
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
