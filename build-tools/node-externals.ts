/**
 * The packages build-tools/bundle-node.ts leaves out of the server and worker bundles, imported
 * from node_modules at run time: those with native code (sharp, resvg, msgpackr's optional
 * extractor, pg's optional native driver) and those only a development run imports (vite, tsx).
 * tests/integration/build-bundles.test.ts fails when a bundle imports any other package.
 */
export const NODE_EXTERNALS = ["sharp", "@resvg/resvg-js", "msgpackr-extract", "pg-native", "vite", "tsx", "tsx/*"];
