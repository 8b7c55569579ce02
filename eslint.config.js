import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/", "node_modules/", ".cache/", "public/build/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", fetch: "readonly", setTimeout: "readonly", clearTimeout: "readonly", Buffer: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["app/**/*.ts", "app/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/workers/*", "../workers/*"], message: "app/ never imports from workers/." }] },
      ],
    },
  },
  {
    // The widget's two small browser scripts, served as they are.
    files: ["public/**/*.js"],
    languageOptions: { sourceType: "script", globals: { window: "readonly", document: "readonly", ResizeObserver: "readonly" } },
  },
  {
    files: ["workers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["~/routes/*", "**/app/routes/*"], message: "workers never import routes." }] }],
    },
  },
);
