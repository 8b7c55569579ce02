import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Two states that together name a set in app/db/states.ts, and that set's name. */
const STATE_SETS = [
  ["published", "closed", "PUBLIC_CAMPAIGN_STATUSES"],
  ["draft", "published", "EDITABLE_CAMPAIGN_STATUSES"],
  ["pending", "confirmed", "COUNTED_SIGNATURE_STATUSES"],
  ["invited", "accepted", "ACTIVE_PARTNER_STATUSES"],
  ["queued", "running", "UNFINISHED_EXPORT_STATUSES"],
];

/** Forbids each set written out as an array, as `a === x || a === y` (or its negation), or inside SQL text. */
function stateSetRules() {
  return STATE_SETS.flatMap(([a, b, name]) => {
    const message = `use ${name} from ~/db/states instead of listing its states`;
    return [
      { selector: `ArrayExpression:has(> Literal[value='${a}']):has(> Literal[value='${b}'])`, message },
      { selector: `LogicalExpression[operator='||'][left.right.value='${a}'][right.right.value='${b}']`, message },
      { selector: `LogicalExpression[operator='&&'][left.operator='!=='][left.right.value='${a}'][right.right.value='${b}']`, message },
      { selector: `TemplateElement[value.raw=/'${a}',\\s*'${b}'/]`, message },
    ];
  });
}

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
    // The named state sets live in app/db/states.ts; spelling one out again lets the copies drift.
    files: ["app/**/*.ts", "app/**/*.tsx", "workers/**/*.ts", "server/**/*.ts", "scripts/**/*.ts"],
    ignores: ["app/db/schema.ts", "app/db/states.ts"],
    rules: {
      "no-restricted-syntax": ["error", ...stateSetRules()],
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
  {
    // These files share worker processes, one file after another (isolate: false in
    // vitest.config.ts): what one changes in process-wide state the next would inherit.
    files: ["tests/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "AssignmentExpression > MemberExpression.left[object.object.name='process'][object.property.name='env']", message: "The next file in this worker would inherit it: give a child process its own env instead." },
        { selector: "UnaryExpression[operator='delete'] > MemberExpression[object.object.name='process'][object.property.name='env']", message: "The next file in this worker would inherit it." },
        { selector: "CallExpression[callee.object.name='vi'][callee.property.name=/^(mock|doMock|stubEnv|stubGlobal|useFakeTimers)$/]", message: "These files share worker processes (isolate: false): keep module and global state as it is." },
      ],
    },
  },
);
