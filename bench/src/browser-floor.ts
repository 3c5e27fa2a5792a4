/**
 * The browser's own floor for figure 1's warm reload (not a benchmark row): with the benchmark's
 * Chromium and flags (browser/browser.ts), how long a reload of a trivial page takes from its
 * navigation start to the first frame showing its text, stamped as browser/shown-rows.ts stamps
 * the mailbox's rows (in an animation frame after DOM mutations). It tells the part of the warm
 * reload any page pays on this machine from the part that is Ferry's; warm-ab.ts reloads the
 * "sw" page in turn with Ferry's for that reason.
 *
 *   cd bench && node --import tsx src/browser-floor.ts [reloads]   (FLOOR_ONLY=a,b: those pages)
 *
 * START=tab or START=offline measures a new tab opened on the page instead (offline: the
 * context offline), as figure 1's warm start and offline cold start.
 *
 * Each variant is its own context on a tiny Node server on loopback, reloaded in turn with the
 * others, so load from elsewhere on the machine falls on all of them alike:
 * - http: the page from the server (no-cache, as the bridge serves the start page);
 * - sw: answered by a service worker's static route from Cache Storage, as web/sw.ts answers
 *   Ferry's start page (the worker active and controlling before the first timed reload);
 * - sw+css: with a render-blocking stylesheet of Ferry's size (48 KB) on the same route;
 * - sw+css+script: and an inline script in <body> reading localStorage, where the origin keeps
 *   as much as Ferry's snapshot (45,000 characters), as Ferry's paint script does;
 * - sw+snapshot (with FLOOR_SNAPSHOT=<file of a snapshot's markup>, e.g. a signed-in page's
 *   localStorage["ferry.snapshot.v3.html"], and FLOOR_CSS=<Ferry's built stylesheet>; several
 *   pairs as FLOOR_SNAPSHOT=a,b FLOOR_CSS=c,d give sw+snapshot, sw+snapshot2, …): Ferry's
 *   own first frame on a trivial old page and with none of the app's scripts: that stylesheet,
 *   and the markup painted from localStorage by an inline script as Ferry's paint script does;
 * - sw+doc (with FLOOR_DOC=<web/out/index.html> and FLOOR_SNAPSHOT/FLOOR_CSS as above): Ferry's
 *   start page itself, its snapshot painted by its own paint script, with none of the app's
 *   chunks (they are not served), on a trivial old page;
 * - sw+heavy: the old page holds what a signed-in Ferry holds when it goes (an open WebSocket,
 *   an open IndexedDB, a pagehide listener, 200,000 objects, 4,000 elements), built after its
 *   first frame.
 * Prints medians (and min–max) with the navigation's response start, DOM interactive, first
 * contentful paint, and the first localStorage read's time in the page.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { WebSocketServer } from "ws";
import { CHROMIUM_ARGS, VIEWPORT } from "./browser/browser";

const TEXT = "Hello from the floor page";
const CSS = `body{font:14px system-ui;margin:0}\n${".x{color:#123456}\n".repeat(2800)}`;

/** FLOOR_SNAPSHOT's markups and FLOOR_CSS's stylesheets, pair by pair. */
const SNAPSHOTS = (() => {
  const files = (name: string) => (process.env[name] ?? "").split(",").filter((f) => f !== "");
  const css = files("FLOOR_CSS");
  return files("FLOOR_SNAPSHOT").map((f, i) => ({
    html: readFileSync(f, "utf8"),
    css: readFileSync(css[i] ?? css[0] ?? "", "utf8"),
  }));
})();

/** Paints the markup kept in localStorage as web/lib/mailbox-snapshot-script.ts does. */
const PAINT = `<script>(() => {
  const html = localStorage.getItem("snap");
  if (html === null) return;
  const shown = document.createElement("ferry-snapshot");
  shown.setAttribute("inert", "");
  shown.setAttribute("aria-busy", "true");
  const style = document.createElement("style");
  style.textContent = "ferry-snapshot{position:fixed;inset:0;z-index:2147483647;overflow:hidden;background-color:inherit}";
  const markup = document.createElement("div");
  markup.className = "contents";
  markup.innerHTML = html;
  shown.append(style, markup);
  document.currentScript.after(shown);
})();</script>`;

interface Kind {
  sw: boolean;
  css: boolean;
  script: boolean;
  heavy: boolean;
  /** Index in SNAPSHOTS. */
  snapshot?: number;
  doc?: boolean;
}

export const VARIANTS: Record<string, Kind> = {
  http: { sw: false, css: false, script: false, heavy: false },
  sw: { sw: true, css: false, script: false, heavy: false },
  "sw+css": { sw: true, css: true, script: false, heavy: false },
  "sw+css+script": { sw: true, css: true, script: true, heavy: false },
  "sw+heavy": { sw: true, css: false, script: false, heavy: true },
};
/** Ferry's start page as built (FLOOR_DOC), for sw+doc. */
const DOC = process.env.FLOOR_DOC ? readFileSync(process.env.FLOOR_DOC, "utf8") : null;
/** Its stylesheet's URL, kept in the worker's cache as web/sw.ts precaches it. */
const DOC_CSS =
  DOC === null ? [] : [...DOC.matchAll(/href="(\/_next\/static\/[^"]+\.css)"/g)].map((m) => m[1]);
if (DOC !== null && SNAPSHOTS.length > 0) {
  VARIANTS["sw+doc"] = { sw: true, css: false, script: false, heavy: false, doc: true };
}
for (const i of SNAPSHOTS.keys()) {
  VARIANTS[`sw+snapshot${i === 0 ? "" : i + 1}`] = {
    sw: true,
    css: false,
    script: false,
    heavy: false,
    snapshot: i,
  };
}
/** A key of VARIANTS. */
export type Variant = string;

/** Built after the first frame, so the old page holds it when the next reload tears it down. */
const HEAVY = `<script>
requestAnimationFrame(() => setTimeout(() => {
  window.__ws = new WebSocket("ws://" + location.host + "/ws");
  indexedDB.open("floor").onsuccess = (e) => { window.__db = e.target.result; };
  addEventListener("pagehide", () => localStorage.setItem("floor.hide", String(Date.now())));
  window.__heap = Array.from({ length: 200000 }, (_, i) => ({ i, s: "row " + i }));
  const rows = [];
  for (let i = 0; i < 600; i++) rows.push("<div><span>Sender " + i + "</span><b>Subject " + i + "</b><i>Preview</i><time>12:00</time><svg width=16 height=16><path d='M0 0h16v16z'/></svg></div>");
  const box = document.createElement("div");
  box.innerHTML = rows.join("");
  document.body.append(box);
}));
</script>`;

function page(v: Kind): string {
  if (v.doc && DOC !== null) return DOC;
  if (v.snapshot !== undefined) {
    return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>floor</title><link rel="stylesheet" href="/static/ferry${v.snapshot}.css"></head><body>${PAINT}<p hidden>${TEXT}</p></body></html>`;
  }
  const head = v.css ? '<link rel="stylesheet" href="/static/a.css">' : "";
  // the first localStorage read of a document brings the origin's whole map over
  const script = v.script
    ? "<script>const t = performance.now(); document.body.dataset.ran = String(localStorage.getItem('x')); window.__ls = performance.now() - t;</script>"
    : "";
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>floor</title>${head}</head><body>${script}<p>${TEXT}</p>${v.heavy ? HEAVY : ""}</body></html>`;
}

/** Keeps its scope's page and the stylesheet in a cache that static routes answer from. */
const SW = `
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open("floor").then((c) => c.addAll([self.registration.scope, "/static/a.css", ...${JSON.stringify([...SNAPSHOTS.map((_, i) => `/static/ferry${i}.css`), ...DOC_CSS])}])));
  event.addRoutes([
    { condition: { requestMethod: "GET", urlPattern: { pathname: "/static/*" } }, source: { cacheName: "floor" } },
    { condition: { requestMethod: "GET", urlPattern: { pathname: "/_next/static/*.css" } }, source: { cacheName: "floor" } },
    { condition: { requestMethod: "GET", requestMode: "navigate", urlPattern: { pathname: "/*" } }, source: { cacheName: "floor" } },
  ]);
  self.skipWaiting();
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
`;

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  const reply = (type: string, body: string) => {
    res.writeHead(200, { "content-type": type, "cache-control": "no-cache" });
    res.end(body);
  };
  const v = VARIANTS[decodeURIComponent(url.pathname.split("/")[1] ?? "") as Variant];
  if (url.pathname === "/static/a.css") reply("text/css", CSS);
  else if (url.pathname.startsWith("/_next/") && url.pathname.endsWith(".css"))
    reply("text/css", SNAPSHOTS[0]?.css ?? "");
  else if (/^\/static\/ferry\d+\.css$/.test(url.pathname))
    reply("text/css", SNAPSHOTS[Number(/\d+/.exec(url.pathname)?.[0])]?.css ?? "");
  else if (url.pathname.endsWith("/sw.js")) reply("text/javascript", SW);
  else if (v) reply("text/html; charset=utf-8", page(v));
  else res.writeHead(404).end();
}

/** The floor pages' server on loopback (a WebSocket endpoint too, for sw+heavy). */
export async function startFloorServer(): Promise<{ base: string; server: Server }> {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer(serve);
  server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, () => {}));
  server.on("close", () => wss.close());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Stamps the first frame whose body shows TEXT; `__floor()` gives it with the navigation's marks. */
const STAMP = `(() => {
  window.__initAt = performance.now();
  let at = null, scheduled = false;
  const check = () => {
    scheduled = false;
    if (at !== null || !document.body) return;
    if (!document.body.textContent.includes(${JSON.stringify(TEXT)}) && !document.querySelector("ferry-snapshot")) return;
    at = performance.now();
  };
  new MutationObserver(() => {
    if (at !== null || scheduled) return;
    scheduled = true;
    requestAnimationFrame(check);
  }).observe(document, { childList: true, subtree: true });
  window.__floor = () => new Promise((resolve) => {
    const done = () => {
      const nav = performance.getEntriesByType("navigation")[0];
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      resolve({ shown: at, response: nav.responseStart, unload: nav.unloadEventStart,
        init: window.__initAt, interactive: nav.domInteractive,
        fcp: fcp ? fcp.startTime : NaN, storage: window.__ls ?? NaN });
    };
    const wait = () => (at !== null && performance.getEntriesByName("first-contentful-paint").length ? done() : setTimeout(wait, 10));
    wait();
  });
})()`;

export interface FloorMarks {
  shown: number;
  response: number;
  unload: number;
  init: number;
  interactive: number;
  fcp: number;
  storage: number;
}

/** A page of `v` in a context of its own, its worker controlling it, reloaded once. */
export async function floorPage(browser: Browser, base: string, v: Variant): Promise<Page> {
  const kind = VARIANTS[v];
  if (!kind) throw new Error(`no floor page ${v}`);
  const context = await browser.newContext({ baseURL: base, viewport: VIEWPORT });
  await context.addInitScript({ content: STAMP });
  const p = await context.newPage();
  const path = `/${encodeURIComponent(v)}/`;
  await p.goto(path);
  if (kind.sw) {
    await p.evaluate(
      `navigator.serviceWorker.register(${JSON.stringify(`${path}sw.js`)}, { scope: ${JSON.stringify(path)} }).then(() => navigator.serviceWorker.ready)`,
    );
    await p.reload();
    if ((await p.evaluate("navigator.serviceWorker.controller !== null")) !== true)
      throw new Error(`${v}: the page is not controlled by its worker`);
  }
  if (kind.script) await p.evaluate("localStorage.setItem('snap', 'x'.repeat(45000))");
  if (kind.doc) {
    // the paint script's record, for this page's path (as lib/persist.ts writes it)
    const html = SNAPSHOTS[0]?.html ?? "";
    const record = {
      email: "floor@example.test",
      route: path,
      layout: "(max-width: 768px)",
      phone: false,
      expires: Date.now() + 86_400_000,
      length: html.length,
    };
    await p.evaluate(`localStorage.setItem("ferry.account", "floor@example.test");
      localStorage.setItem("ferry.snapshot.v3", ${JSON.stringify(JSON.stringify(record))});
      localStorage.setItem("ferry.snapshot.v3.html", ${JSON.stringify(html)});`);
  }
  if (kind.snapshot !== undefined) {
    const html = SNAPSHOTS[kind.snapshot]?.html ?? "";
    await p.evaluate(`localStorage.setItem("snap", ${JSON.stringify(html)})`);
  }
  await p.reload(); // warm-up
  return p;
}

/** One timed reload of a floorPage. */
/**
 * One timed start of a floorPage: a reload, or (START=tab / offline) the page opened in a new
 * tab of its context, the context offline for "offline", as figure 1's warm start and offline
 * cold start (figures/sw-start.ts) open Ferry's.
 */
export async function reloadFloor(p: Page, start = startKind()): Promise<FloorMarks> {
  if (start === "reload") {
    await p.reload();
    return (await p.evaluate("window.__floor()")) as FloorMarks;
  }
  const context = p.context();
  if (start === "offline") await context.setOffline(true);
  const tab = await context.newPage();
  try {
    await tab.goto(p.url());
    return (await tab.evaluate("window.__floor()")) as FloorMarks;
  } finally {
    await tab.close();
    await context.setOffline(false);
  }
}

/** How the tools start a page: START=reload (default), tab (a new tab) or offline (and offline). */
export function startKind(): "reload" | "tab" | "offline" {
  const start = process.env.START ?? "reload";
  if (start !== "reload" && start !== "tab" && start !== "offline") {
    throw new Error(`START=${start}: reload, tab or offline`);
  }
  return start;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) * q)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const reloads = Number(process.argv[2] ?? 21);
  const { base, server } = await startFloorServer();
  const browser = await chromium.launch({
    executablePath: process.env.FERRY_CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
  try {
    const only = process.env.FLOOR_ONLY?.split(",");
    const names = Object.keys(VARIANTS).filter((v) => !only || only.includes(v));
    const pages: Page[] = [];
    for (const v of names) pages.push(await floorPage(browser, base, v));
    const marks: FloorMarks[][] = names.map(() => []);
    for (let i = 0; i < reloads; i++) {
      for (const [k, p] of pages.entries()) marks[k]?.push(await reloadFloor(p));
    }
    const f = (x: number) => x.toFixed(1).padStart(6);
    const med = (m: FloorMarks[], key: keyof FloorMarks) =>
      f(
        quantile(
          m.map((x) => x[key]),
          0.5,
        ),
      );
    console.log(`browser floor: ${startKind()} → first frame showing the text; ${reloads} each`);
    console.log(
      "variant         shown (min–max)         response  interactive  fcp     storage read",
    );
    for (const [k, v] of names.entries()) {
      const m = marks[k] ?? [];
      const shown = m.map((x) => x.shown);
      const range = `(${Math.min(...shown).toFixed(1)}–${Math.max(...shown).toFixed(1)})`;
      console.log(
        `${v.padEnd(14)} ${med(m, "shown")} ${range.padEnd(16)} ${med(m, "response")}  ${med(m, "interactive")}  ${med(m, "fcp")}  ${med(m, "storage")}`,
      );
    }
  } finally {
    await browser.close();
    server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
