/**
 * The build step after `next build`: bundles sw.ts into out/sw.js (esbuild) and injects the
 * precache manifest of out/ (@serwist/build), so each build's service worker lists exactly that
 * build's app shell with a revision per file. Files named by content hash (/_next/static) are
 * not cache-busted; everything else is revisioned by its own hash.
 */
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { injectManifest } from "@serwist/build";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(web, "out");
const swDest = resolve(out, "sw.js");

// esbuild is the bridge's dependency; the web app borrows it rather than pinning a second copy.
const esbuild = createRequire(resolve(web, "../bridge/package.json"))("esbuild");

await esbuild.build({
  entryPoints: [resolve(web, "sw.ts")],
  outfile: swDest,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

const { count, size, warnings } = await injectManifest({
  swSrc: swDest,
  swDest,
  globDirectory: out,
  globPatterns: ["**/*.{html,js,css,txt,json,webmanifest,svg,png,ico,woff2}"],
  globIgnores: ["sw.js", "**/*.map"],
  dontCacheBustURLsMatching: /^_next\/static\//,
  maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
});
for (const w of warnings) console.warn(`service worker: ${w}`);
console.log(`service worker: ${count} files precached (${Math.round(size / 1024)} KiB)`);
