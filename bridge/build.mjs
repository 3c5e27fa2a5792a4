/**
 * Bundles the bridge into dist/main.js (Node 20, ESM). Workspace packages (@ferry/protocol
 * exports TypeScript source) are bundled; real npm dependencies stay external and are loaded from
 * node_modules at run time. A banner provides `require` for bundled CommonJS interop.
 * FERRY_BRIDGE_OUT names another file under bridge/ (e.g. a private build for the benchmark).
 */
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith("@ferry/"));

await build({
  entryPoints: ["src/main.ts"],
  outfile: process.env.FERRY_BRIDGE_OUT ?? "dist/main.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  external,
  banner: {
    js: 'import { createRequire as __ferryCreateRequire } from "node:module"; const require = __ferryCreateRequire(import.meta.url);',
  },
  logLevel: "info",
});
