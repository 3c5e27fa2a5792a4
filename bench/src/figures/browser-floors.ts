/**
 * Figure 1's browser floors (rows with no budget): what any web page pays in this Chromium on
 * this machine for the same starts, so the table tells the browser's share of a figure from
 * Ferry's. DESIGN's budgets are ratios to a bare IMAP client; a browser adds its own request, its
 * frame and its navigation on top, and these rows measure that in the same run.
 *
 * - **cold**: a trivial page (a "Sign in" button and an empty "Messages" listbox, no framework,
 *   one small stylesheet) served by a tiny Node server in this process. The click POSTs to the
 *   server, which does the floor's IMAP work for the same user (client/floor.ts: a new
 *   connection, login, SELECT INBOX, FETCH of the 50 newest envelopes) and answers the rows as
 *   JSON; the page writes 50 plain options into the listbox. Stamped exactly as Ferry's cold
 *   sign-in: from the click event to the first frame in which every option in the listbox's
 *   view is a row (in-page.ts's `load.rows`), in a fresh context like Ferry's.
 * - **warm**: browser-floor.ts's "sw" page (a trivial page answered by a service worker's static
 *   route, as web/sw.ts answers Ferry's start page), reloaded: from navigation start to the first
 *   frame showing its text.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { clickStamp, settleSignInPage, stamp, withColdPage } from "../browser/browser";
import { floorPage, reloadFloor, startFloorServer } from "../browser-floor";
import { closeBare, connectBare } from "../client/floor";
import { type Row, row } from "../report";
import type { Account } from "../stack/mail";
import { type Summary, summarize } from "../stats";
import type { FigureContext } from "./context";
import { FIGURE } from "./sign-in";

const PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;color:#111}
form{padding:12px}
[role=listbox]{height:640px;overflow:auto}
[role=option]{display:flex;gap:12px;align-items:center;height:56px;padding:0 16px;border-bottom:1px solid #ddd}
.f{width:200px;font-weight:600;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.s{flex:1;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
</style></head><body>
<form><label>Email address <input name="email" autocomplete="off"></label> <button>Sign in</button></form>
<div role="listbox" aria-label="Messages"></div>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => "&#" + c.charCodeAt(0) + ";");
document.querySelector("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const res = await fetch("/rows", { method: "POST" });
  const rows = await res.json();
  document.querySelector('[role="listbox"]').innerHTML = rows.map((r) =>
    '<div role="option" aria-label="' + esc(r.from + ", " + r.subject) + '"><span class="f">' +
    esc(r.from) + '</span><span class="s">' + esc(r.subject) + "</span><time>" +
    esc(new Date(r.date).toLocaleDateString()) + "</time></div>").join("");
});
</script></body></html>`;

/** The trivial sign-in page's server; its POST lists `user`'s INBOX. */
async function startTrivialServer(ctx: FigureContext, user: Account): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/") {
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
      });
      res.end(PAGE);
      return;
    }
    if (req.method !== "POST" || req.url !== "/rows") {
      res.writeHead(404).end();
      return;
    }
    req.resume();
    void (async () => {
      const client = await connectBare(ctx.mail.server, user);
      try {
        const box = await client.mailboxOpen("INBOX");
        const from = Math.max(1, box.exists - 49);
        const msgs = await client.fetchAll(`${from}:${box.exists}`, {
          uid: true,
          flags: true,
          envelope: true,
        });
        const rows = msgs.reverse().map((m) => ({
          uid: m.uid,
          from: m.envelope?.from?.[0]?.name || m.envelope?.from?.[0]?.address || "",
          subject: m.envelope?.subject ?? "",
          date: m.envelope?.date ? new Date(m.envelope.date).toISOString() : "",
        }));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(rows));
      } finally {
        void closeBare(client);
      }
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}

/**
 * One cold sign-in of `user` on the trivial page, in a fresh context: click → rows, milliseconds.
 * Figure 1 takes one between Ferry's, so load from elsewhere falls on both alike.
 */
export async function coldBrowserFloor(ctx: FigureContext, user: Account): Promise<number> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  const server = await startTrivialServer(ctx, user);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    return await withColdPage(
      browser,
      base,
      ctx.config.failureDir,
      "signin-floor",
      async (page: Page) => {
        await page.goto("/");
        await settleSignInPage(page);
        await page.getByRole("button", { name: "Sign in", exact: true }).click();
        const rows = await stamp<{ rows: number }>(page, "load.rows");
        if (rows.detail.rows < 1) throw new Error("the trivial page painted no rows");
        return rows.at - (await clickStamp(page, "Sign in"));
      },
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

export function coldBrowserFloorRow(
  size: number,
  samples: number[],
  floor: Summary | null,
  floorSamples: number[],
): Row {
  return row({
    id: `signin.browser.floor-cold.${size}`,
    figure: FIGURE,
    label: "a trivial page, cold: click → the floor's IMAP work behind one POST → rows (no budget)",
    side: "browser",
    size,
    unit: "ms",
    value: summarize(samples),
    floor,
    note: "the browser's floor under the cold click → rows: a page with no framework whose click POSTs to a tiny Node server in the benchmark, which does the floor's IMAP work (a new connection, login, SELECT, FETCH of 50 envelopes) and answers JSON that the page writes into the listbox; stamped as Ferry's, alternating with Ferry's sign-ins",
    samples,
    floorSamples,
  });
}

/** The warm floor: a trivial page answered by a service worker, reloaded `repeats` times. */
export async function warmBrowserFloorRow(ctx: FigureContext): Promise<Row> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  const { base, server } = await startFloorServer();
  try {
    const page = await floorPage(browser, base, "sw");
    const samples: number[] = [];
    for (let i = 0; i < ctx.config.repeats; i++)
      samples.push((await reloadFloor(page, "reload")).shown);
    await page.context().close();
    return row({
      id: "signin.browser.floor-warm",
      figure: FIGURE,
      label: "a trivial page, warm: reload answered by a service worker → first frame (no budget)",
      side: "browser",
      unit: "ms",
      value: summarize(samples),
      note: `the browser's floor under the warm reload: browser-floor.ts's "sw" page (a few words of text, no stylesheet, no script, served from the worker's cache by a static route as Ferry's start page is), from navigation start to its first frame`,
      samples,
    });
  } finally {
    server.close();
  }
}
