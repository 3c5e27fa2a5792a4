import type { NextConfig } from "next";

/**
 * Ferry's web app is a static export: `next build` writes web/out, which the bridge serves on
 * the same origin as /api and /ws. Everything runs in the browser; there are no server routes.
 */
const config: NextConfig = {
  output: "export",
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  // The wire protocol is a workspace package shipped as TypeScript source.
  transpilePackages: ["@ferry/protocol"],
  // Types are checked by `pnpm --filter @ferry/web typecheck` (in `./ferry test`'s lint, before
  // the build), over the same tsconfig and the tests too: the build does not check them twice.
  typescript: { ignoreBuildErrors: true },
};

export default config;
