// `import src from "…?script"`: the URL of that module bundled on its own (build-tools/standalone-script.ts).
declare module "*?script" {
  const src: string;
  export default src;
}
