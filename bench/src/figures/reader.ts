/**
 * Figure 3: a message with a 20 MB attachment.
 *
 * - bridge side: `message.open` → the `message.header` reply (envelope + structure) → the first
 *   `message.body` chunk of the text;
 * - browser: a click on its row (new context, signed in, INBOX showing) → the first frame that
 *   shows the attachments list (only `message.header` carries it) → the first frame that shows
 *   a phrase of the text;
 * - download: the attachment through GET /api/parts (streamed to the end) against a bare
 *   imapflow download() of the same part, in MB/s of decoded bytes;
 * - floor: on a connection with INBOX selected, FETCH envelope + BODYSTRUCTURE, then download
 *   the text part.
 *
 * And a small message nobody hovered, opened from the keyboard (the list focused, `j` down to
 * its row, `o`): from the `o` keydown to the first frame showing its text, against the same
 * floor for that message (its text fetch). It sits below the top rows the app prefetches once
 * idle; the cursor's own prefetch (the rows next to it, while idle) may get there between the
 * keys, so the page's `message.open` frames are watched (DevTools protocol) and a run in which
 * it had asked for the message before the `o` is left out and counted in the note: the figure is
 * the open of a message nobody fetched ahead.
 */
import { join } from "node:path";
import { partUrl } from "@ferry/protocol";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import {
  clickStamp,
  hoverStamp,
  keyStamp,
  signInThroughForm,
  signOutContext,
  stamp,
  traced,
  watch,
  withColdPage,
} from "../browser/browser";
import { bareDownload, bareOpen, closeBare, connectBare } from "../client/floor";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { type BigMessage, bigAttachmentMessage, smallMessage, token } from "../mail/messages";
import { nowMs, progress } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import { summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";

const FIGURE = "3 open 20 MB message";
const KEYBOARD_FIGURE = "3b open un-hovered (keyboard)";
const MB = 1024 * 1024;
/** Rows above the keyboard figure's message (newer mail), so it is not among the top rows. */
const ROWS_ABOVE = 8;

interface Small {
  subject: string;
  uid: number;
  /** The list row it is at, from the top. */
  index: number;
}

/**
 * Delivers the keyboard figure's message, then ROWS_ABOVE − 1 newer small ones (the big
 * message, delivered next, is the newest of all).
 */
async function deliverSmall(ctx: FigureContext): Promise<Small> {
  const { server } = ctx.mail;
  const user = ctx.mail.reader;
  const from = ctx.mail.sender.email;
  const subject = token("keyboard-open");
  await server.deliver(smallMessage({ from, to: [user.email], subject }), {
    from,
    to: [user.email],
  });
  for (let i = 1; i < ROWS_ABOVE; i++) {
    const filler = smallMessage({ from, to: [user.email], subject: token("filler") });
    await server.deliver(filler, { from, to: [user.email] });
  }
  const bare = await connectBare(server, user);
  try {
    const box = await bare.mailboxOpen("INBOX");
    const seq = box.exists - (ROWS_ABOVE - 1);
    const msg = await bare.fetchOne(String(seq), { uid: true, envelope: true });
    if (!msg || msg.envelope?.subject !== subject) {
      throw new Error("the keyboard figure's message is not where it was delivered");
    }
    return { subject, uid: msg.uid, index: ROWS_ABOVE };
  } finally {
    await closeBare(bare);
  }
}

interface Target {
  msg: BigMessage;
  uid: number;
  uidValidity: number;
}

async function deliverBig(ctx: FigureContext): Promise<Target> {
  const { server } = ctx.mail;
  const user = ctx.mail.reader;
  const msg = bigAttachmentMessage({
    from: ctx.mail.sender.email,
    to: user.email,
    bytes: ctx.config.attachmentBytes,
  });
  await server.deliver(msg.raw, { from: ctx.mail.sender.email, to: [user.email] });
  const bare = await connectBare(server, user);
  try {
    const box = await bare.mailboxOpen("INBOX");
    const last = await bare.fetchOne(String(box.exists), { uid: true, envelope: true });
    if (!last || last.envelope?.subject !== msg.subject) {
      throw new Error("the big message is not the newest in INBOX");
    }
    return { msg, uid: last.uid, uidValidity: Number(box.uidValidity) };
  } finally {
    await closeBare(bare);
  }
}

export async function readerFigure(ctx: FigureContext): Promise<Row[]> {
  const { repeats } = ctx.config;
  const small = await deliverSmall(ctx);
  const target = await deliverBig(ctx);
  const { msg } = target;
  const ref = { mailbox: "INBOX", uidValidity: target.uidValidity, uid: target.uid };
  progress(
    `reader: delivered a ${(msg.raw.length / MB).toFixed(1)} MB message (uid ${target.uid})`,
  );

  // Floor and bridge side, interleaved.
  const bare = await connectBare(ctx.mail.server, ctx.mail.reader);
  await bare.mailboxOpen("INBOX");
  const cookie = await signIn(ctx.bridge, ctx.mail.reader);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  const floorHeader: number[] = [];
  const floorText: number[] = [];
  const header: number[] = [];
  const text: number[] = [];
  const floorMBps: number[] = [];
  const bridgeMBps: number[] = [];
  const floorSmallText: number[] = [];
  try {
    for (let i = 0; i <= repeats; i++) {
      const fs = await bareOpen(bare, small.uid, "1");
      if (i > 0) floorSmallText.push(fs.textMs);
      const f = await bareOpen(bare, target.uid, msg.textPart);
      const id = client.id();
      const t0 = performance.now();
      const headerSeen = client.next("message.header", (fr) => fr.id === id, 30_000);
      const bodySeen = client.next("message.body", (fr) => fr.id === id && fr.seq === 0, 30_000);
      const endSeen = client.next("message.end", (fr) => fr.id === id, 60_000);
      client.send({ type: "message.open", id, ref });
      const h = await headerSeen;
      const t1 = performance.now();
      const b = await bodySeen;
      const t2 = performance.now();
      await endSeen;
      if (!b.frame.chunk.includes(msg.textMarker))
        throw new Error("the first body chunk lacks the text");
      if (h.frame.attachments.length !== 1) throw new Error("message.header lists no attachment");
      if (i === 0) continue; // warm-up
      floorHeader.push(f.structureMs);
      floorText.push(f.textMs);
      header.push(t1 - t0);
      text.push(t2 - t0);
    }
    for (let i = 0; i <= ctx.config.downloads; i++) {
      const f = await bareDownload(bare, target.uid, msg.attachmentPart);
      const t0 = performance.now();
      const res = await fetch(
        `${ctx.bridge.url}${partUrl(ref, msg.attachmentPart, { download: true })}`,
        {
          headers: { cookie },
        },
      );
      if (!res.ok || !res.body) throw new Error(`GET /api/parts answered ${res.status}`);
      let bytes = 0;
      const reader = res.body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read())
        bytes += r.value.byteLength;
      const ms = performance.now() - t0;
      if (bytes !== msg.attachmentBytes || f.bytes !== msg.attachmentBytes) {
        throw new Error(
          `downloaded ${bytes} (bridge) / ${f.bytes} (floor) bytes, not ${msg.attachmentBytes}`,
        );
      }
      if (i === 0) continue;
      floorMBps.push(f.bytes / MB / (f.ms / 1000));
      bridgeMBps.push(bytes / MB / (ms / 1000));
    }
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
    await closeBare(bare);
  }

  const rows: Row[] = [
    row({
      id: "reader.bridge.header",
      figure: FIGURE,
      label: "bridge: message.open → header",
      side: "bridge",
      unit: "ms",
      value: summarize(header),
      floor: summarize(floorHeader),
      budget: BUDGETS.bigHeaders,
      samples: header,
      floorSamples: floorHeader,
    }),
    row({
      id: "reader.bridge.text",
      figure: FIGURE,
      label: "bridge: message.open → text",
      side: "bridge",
      unit: "ms",
      value: summarize(text),
      floor: summarize(floorText),
      budget: BUDGETS.bigText,
      samples: text,
      floorSamples: floorText,
    }),
  ];
  progress(
    `reader: bridge header ${fmtMs(summarize(header)?.value ?? Number.NaN)}, text ${fmtMs(summarize(text)?.value ?? Number.NaN)}`,
  );

  if (!ctx.browser) {
    rows.push(errorRow("reader.browser", FIGURE, "browser", "the web app is not built"));
  } else {
    try {
      const b = await browserOpen(ctx, target, repeats);
      rows.push(
        row({
          id: "reader.browser.header",
          figure: FIGURE,
          label: "browser: click → headers",
          side: "browser",
          unit: "ms",
          value: summarize(b.header),
          floor: summarize(floorHeader),
          budget: BUDGETS.bigHeaders,
          samples: b.header,
          floorSamples: floorHeader,
          note: `the pointer was over the row a median ${fmtMs(summarize(b.hoverLead)?.value ?? Number.NaN)} before the click (the app prefetches on hover)`,
        }),
        row({
          id: "reader.browser.text",
          figure: FIGURE,
          label: "browser: click → text",
          side: "browser",
          unit: "ms",
          value: summarize(b.text),
          floor: summarize(floorText),
          budget: BUDGETS.bigText,
          samples: b.text,
          floorSamples: floorText,
        }),
      );
      progress(
        `reader: browser header ${fmtMs(summarize(b.header)?.value ?? Number.NaN)}, text ${fmtMs(summarize(b.text)?.value ?? Number.NaN)}`,
      );
    } catch (err) {
      rows.push(errorRow("reader.browser", FIGURE, "browser", err));
    }
    try {
      const k = await keyboardOpen(ctx, small, repeats);
      rows.push(
        row({
          id: "reader.browser.keyboard",
          figure: KEYBOARD_FIGURE,
          label: "browser: o → text, row nobody hovered",
          side: "browser",
          unit: "ms",
          value: summarize(k.text),
          floor: summarize(floorSmallText),
          budget: BUDGETS.openUnhovered,
          samples: k.text,
          floorSamples: floorSmallText,
          note:
            `row ${small.index + 1} of the list, reached with j; floor: FETCH envelope + BODYSTRUCTURE + its text` +
            (k.hovered > 0 ? `; the pointer was over it in ${k.hovered} run(s)` : "") +
            (k.prefetched > 0
              ? `; ${k.prefetched} run(s) left out: the cursor's prefetch had asked for it before o`
              : ""),
        }),
      );
      progress(
        `reader: keyboard open → text ${fmtMs(summarize(k.text)?.value ?? Number.NaN)}, floor ${fmtMs(summarize(floorSmallText)?.value ?? Number.NaN)}`,
      );
    } catch (err) {
      rows.push(errorRow("reader.browser.keyboard", KEYBOARD_FIGURE, "browser", err));
    }
  }

  rows.push(
    row({
      id: "reader.download",
      figure: FIGURE,
      label: "download via /api/parts",
      side: "bridge",
      unit: "MB/s",
      value: summarize(bridgeMBps),
      floor: summarize(floorMBps),
      note: `${msg.attachmentBytes / MB} MB decoded (base64 in the message); ×floor is floor ÷ figure, so > 1 is slower`,
      samples: bridgeMBps,
      floorSamples: floorMBps,
    }),
  );
  return rows;
}

async function browserOpen(
  ctx: FigureContext,
  target: Target,
  repeats: number,
): Promise<{ header: number[]; text: number[]; hoverLead: number[] }> {
  if (!ctx.browser) throw new Error("no browser");
  const header: number[] = [];
  const text: number[] = [];
  const hoverLead: number[] = [];
  const browser = ctx.browser;
  const traceFile = ctx.config.profileDir
    ? join(ctx.config.profileDir, "reader-open.trace.json")
    : null;
  // Round 0 warms up; the last round (traced, when profiling) is not counted.
  for (let i = 0; i <= repeats + (traceFile ? 1 : 0); i++) {
    const extra = i > repeats;
    const r = await withColdPage(
      browser,
      ctx.bridge.url,
      ctx.config.failureDir,
      "reader",
      async (page, context) => {
        await page.goto("/");
        await signInThroughForm(page, ctx.mail.reader);
        await stamp(page, "load.rows");
        await watch(page, "open.header", "readerHeaders");
        await watch(page, "open.text", "readerText", target.msg.textMarker);
        const { h, t } = await traced(browser, page, extra ? traceFile : null, async () => {
          await page
            .getByRole("listbox", { name: "Messages" })
            .getByRole("option", { name: target.msg.subject })
            .click();
          return { h: await stamp(page, "open.header"), t: await stamp(page, "open.text") };
        });
        const click = await clickStamp(page, target.msg.subject);
        const hover = await hoverStamp(page, target.msg.subject);
        await signOutContext(context, ctx.bridge.url);
        return {
          header: h.at - click,
          text: t.at - click,
          hoverLead: hover === null ? null : click - hover,
        };
      },
    );
    if (i === 0 || extra) continue;
    header.push(r.header);
    text.push(r.text);
    if (r.hoverLead !== null) hoverLead.push(r.hoverLead);
  }
  return { header, text, hoverLead };
}

/**
 * The UIDs of the `message.open` frames the page sends from now on, each with when this process
 * heard of it (nowMs()), read from the DevTools protocol: nothing in the page is changed.
 */
async function watchOpens(
  context: BrowserContext,
  page: Page,
): Promise<{ opens: { uid: number; at: number }[]; cdp: CDPSession }> {
  const opens: { uid: number; at: number }[] = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  cdp.on("Network.webSocketFrameSent", (e) => {
    try {
      const frame = JSON.parse(e.response.payloadData) as { type?: string; ref?: { uid?: number } };
      if (frame.type === "message.open" && typeof frame.ref?.uid === "number")
        opens.push({ uid: frame.ref.uid, at: nowMs() });
    } catch {
      // not JSON: not a frame of ours
    }
  });
  return { opens, cdp };
}

/** Whether the page asked for `uid` before `since` (the `o` was sent), or never did. */
function fetchedAhead(opens: { uid: number; at: number }[], uid: number, since: number): boolean {
  const own = opens.find((o) => o.uid === uid);
  return !own || own.at < since;
}

/**
 * The last `j`s, sent together so the cursor's idle prefetch has no time to reach the message's
 * row (it fetches the cursor's row and the two after it) before the `o`.
 */
const BURST_J = 3;

/** A key's down and up through the DevTools protocol, not awaited one by one. */
function keyEvents(cdp: CDPSession, key: "j" | "o"): Promise<unknown>[] {
  const code = key === "j" ? "KeyJ" : "KeyO";
  const windowsVirtualKeyCode = key === "j" ? 74 : 79;
  return [
    cdp.send("Input.dispatchKeyEvent", {
      type: "keyDown",
      key,
      code,
      text: key,
      unmodifiedText: key,
      windowsVirtualKeyCode,
    }),
    cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key, code, windowsVirtualKeyCode }),
  ];
}

/**
 * Signed in, INBOX showing: the list focused, `j` towards the small message's row, the last
 * BURST_J `j`s sent together, then the `o`; ms from the `o`. A run in which the page had asked for
 * the message before the `o` (the cursor's prefetch got there) measures no open of an
 * un-prefetched message: it is left out and counted in `prefetched`.
 */
async function keyboardOpen(
  ctx: FigureContext,
  small: Small,
  repeats: number,
): Promise<{ text: number[]; hovered: number; prefetched: number }> {
  if (!ctx.browser) throw new Error("no browser");
  const browser = ctx.browser;
  const text: number[] = [];
  let hovered = 0;
  let prefetched = 0;
  const traceFile = ctx.config.profileDir
    ? join(ctx.config.profileDir, "reader-keyboard.trace.json")
    : null;
  for (let i = 0; i <= repeats + (traceFile ? 1 : 0); i++) {
    const extra = i > repeats;
    const r = await withColdPage(
      browser,
      ctx.bridge.url,
      ctx.config.failureDir,
      "reader-keyboard",
      async (page, context) => {
        const { opens, cdp } = await watchOpens(context, page);
        await page.goto("/");
        await signInThroughForm(page, ctx.mail.reader);
        await stamp(page, "load.rows");
        await page.getByRole("listbox", { name: "Messages" }).focus();
        await watch(page, "open.keyboard", "readerText", `${small.subject}, delivered by`);
        for (let j = 0; j < small.index - BURST_J; j++) await page.keyboard.press("j");
        // Each answered once the page has handled it; then the `o` at once.
        await Promise.all(Array.from({ length: BURST_J }, () => keyEvents(cdp, "j")).flat());
        const beforeO = nowMs();
        const t = await traced(browser, page, extra ? traceFile : null, async () => {
          await Promise.all(keyEvents(cdp, "o"));
          return stamp(page, "open.keyboard");
        });
        const pressed = await keyStamp(page, "o");
        const hover = await hoverStamp(page, small.subject);
        await signOutContext(context, ctx.bridge.url);
        return {
          text: t.at - pressed,
          hovered: hover !== null,
          prefetched: fetchedAhead(opens, small.uid, beforeO),
        };
      },
    );
    if (i === 0 || extra) continue;
    if (r.hovered) hovered += 1;
    if (r.prefetched) prefetched += 1;
    else text.push(r.text);
  }
  if (text.length === 0) {
    throw new Error(
      `the cursor's prefetch had asked for the message before o in all ${prefetched} runs`,
    );
  }
  return { text, hovered, prefetched };
}
