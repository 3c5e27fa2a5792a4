/**
 * Figure 6: the JavaScript of the first load, gzip bytes. The script files web/out/index.html
 * references (`<script src>`, not the `nomodule` ones a modern browser skips) and its inline
 * scripts, each gzipped at level 9 as the bridge serves them; brotli (what browsers actually
 * get from the bridge) is given in the note.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";
import { BUDGETS, type Row, row } from "../report";

const FIGURE = "6 first-load JS";

export interface FirstLoad {
  files: { src: string; raw: number; gzip: number; br: number }[];
  inline: { raw: number; gzip: number; br: number };
}

function sizes(body: Buffer): { raw: number; gzip: number; br: number } {
  return {
    raw: body.length,
    gzip: gzipSync(body, { level: 9 }).length,
    br: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }).length,
  };
}

export function measureFirstLoad(webOut: string): FirstLoad {
  const html = readFileSync(join(webOut, "index.html"), "utf8");
  const files: FirstLoad["files"] = [];
  const seen = new Set<string>();
  const inline: Buffer[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attrs = m[1] ?? "";
    if (/\bnomodule\b/i.test(attrs)) continue;
    const type = /\btype="([^"]*)"/i.exec(attrs)?.[1];
    if (type && !/javascript|module/i.test(type)) continue;
    const src = /\bsrc="([^"]+)"/i.exec(attrs)?.[1];
    if (src === undefined) {
      if ((m[2] ?? "").trim() !== "") inline.push(Buffer.from(m[2] ?? ""));
      continue;
    }
    const path = new URL(src, "http://app.invalid/").pathname;
    if (seen.has(path)) continue;
    seen.add(path);
    files.push({ src: path, ...sizes(readFileSync(join(webOut, decodeURIComponent(path)))) });
  }
  return { files, inline: sizes(Buffer.concat(inline)) };
}

export function firstLoadFigure(webDir: string): Row[] {
  const fl = measureFirstLoad(webDir);
  const sum = (k: "raw" | "gzip" | "br") => fl.files.reduce((a, f) => a + f[k], 0) + fl.inline[k];
  const kb = (b: number) => b / 1024;
  const gz = kb(sum("gzip"));
  return [
    row({
      id: "firstload.gzip",
      figure: FIGURE,
      label: "index.html scripts, gzip",
      side: "static",
      unit: "KB",
      stat: "value",
      value: { value: gz, min: gz, max: gz, n: 1 },
      budget: BUDGETS.firstLoad,
      note:
        `${fl.files.length} files + inline scripts (${kb(fl.inline.gzip).toFixed(1)} KB gzip); ` +
        `${kb(sum("raw")).toFixed(0)} KB uncompressed, ${kb(sum("br")).toFixed(1)} KB brotli`,
      samples: fl.files.map((f) => f.gzip),
    }),
  ];
}
