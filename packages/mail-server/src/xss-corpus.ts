/**
 * The XSS vectors of the vendored corpus as plain HTML strings: DOMPurify's fixture payloads
 * (`xss/dompurify/expect.mjs`) and H5SC's vectors (`xss/h5sc/items.js`, with their `%name%`
 * placeholders filled from `payloads.js`). The files are UMD/ESM scripts kept as their projects
 * ship them, so they are evaluated here in an empty VM context and only their data is kept.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { CORPUS_DIR } from "./corpus-dir";

export interface XssVector {
  /** `dompurify/<n>` or `h5sc/<id>`, stable across runs. */
  id: string;
  /** What the vector tries, in its project's words. */
  title: string;
  /** The hostile HTML. */
  html: string;
}

const XSS_DIR = join(CORPUS_DIR, "xss");

/** Runs one vendored UMD script and returns what it assigns to `module.exports`. */
function umdExports(file: string): unknown {
  const module: { exports: unknown } = { exports: {} };
  runInNewContext(
    readFileSync(file, "utf8"),
    { module, exports: module.exports },
    { filename: file },
  );
  return module.exports;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/** H5SC's placeholder values, by name, with `overrides` taking their place where given. */
export function h5scPayloads(overrides: Record<string, string> = {}): Record<string, string> {
  const raw = umdExports(join(XSS_DIR, "h5sc", "payloads.js"));
  if (!isRecord(raw)) throw new Error("h5sc/payloads.js: no payload table");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") out[name] = value;
  }
  return { ...out, ...overrides };
}

/**
 * H5SC's vectors with their placeholders filled in. `overrides` replaces placeholder values
 * (e.g. `js_alert`) so a caller can make a vector that runs leave a mark it can detect.
 */
export function h5scVectors(overrides: Record<string, string> = {}): XssVector[] {
  const payloads = h5scPayloads(overrides);
  const items = umdExports(join(XSS_DIR, "h5sc", "items.js"));
  if (!Array.isArray(items)) throw new Error("h5sc/items.js: no item list");
  return items.flatMap((item: unknown) => {
    if (!isRecord(item) || typeof item.data !== "string") return [];
    const name = isRecord(item.name) && typeof item.name.en === "string" ? item.name.en : "";
    // Only names of the table are placeholders: `%3E%` and the like are URL escapes.
    const html = item.data.replace(
      /%([a-z0-9_]+)%/gi,
      (whole, key: string) => payloads[key] ?? whole,
    );
    return [{ id: `h5sc/${String(item.id)}`, title: name, html }];
  });
}

/** DOMPurify's fixture payloads (the hostile input of each fixture; its expected output is not used). */
export function dompurifyVectors(): XssVector[] {
  const text = readFileSync(join(XSS_DIR, "dompurify", "expect.mjs"), "utf8");
  const body = text.replace(/^\s*export\s+default\s+/, "module.exports = ");
  const module: { exports: unknown } = { exports: null };
  runInNewContext(body, { module }, { filename: "expect.mjs" });
  if (!Array.isArray(module.exports)) throw new Error("dompurify/expect.mjs: no fixture list");
  return module.exports.flatMap((fixture: unknown, n: number) => {
    if (!isRecord(fixture) || typeof fixture.payload !== "string") return [];
    const title = typeof fixture.title === "string" ? fixture.title : "";
    return [{ id: `dompurify/${n}`, title, html: fixture.payload }];
  });
}

/** Every vector of both corpora. */
export function xssVectors(h5scOverrides: Record<string, string> = {}): XssVector[] {
  return [...dompurifyVectors(), ...h5scVectors(h5scOverrides)];
}
