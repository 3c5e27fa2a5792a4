/**
 * Figure 12 (conversations.ts), opening a 50-message conversation: a thread of 50 replies,
 * delivered over LMTP in the figure's setup (the seeded content is left as it is), its 3 newest
 * unread and the rest read. The reader's path, as web/components/conversation-stack.tsx takes
 * it: `message.open` of the newest beside one `messages.rows` for the others' collapsed lines,
 * then `message.open` of each unread one (expanded), until the last `message.end`. Floor: a bare
 * client's FETCHes of the same (the newest's structure and text, the 49 lines' flags, envelopes
 * and previews, the unread ones' structure and text), one after another on one connection. The
 * browser: a click on the conversation's row to the first frame showing the expanded messages'
 * text and a sender on every collapsed line; each run also says (from the page's socket frames)
 * whether the app had read the stack ahead before the click, which decides most of the figure.
 */
import { join } from "node:path";
import type { TMessageRef, TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Page } from "playwright-core";
import {
  clickStamp,
  clockOffset,
  hoverStamp,
  signInThroughForm,
  signOutContext,
  stamp,
  traced,
  watch,
  withColdPage,
} from "../browser/browser";
import { bareConversationOpen, closeBare, connectBare } from "../client/floor";
import type { ProtocolClient } from "../client/protocol";
import { nowMs, progress } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import type { Account } from "../stack/mail";
import { summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";
import {
  conversationWindow,
  FIGURE,
  THREAD_LENGTH,
  type Thread,
  TIMEOUT_MS,
} from "./conversations-common";

/** The open figure's thread has its newest few unread (the stack expands them), the rest read. */
const UNREAD_NEWEST = 3;

/** One `message.open` to its `message.end`. */
async function openToEnd(client: ProtocolClient, ref: TMessageRef): Promise<void> {
  const id = client.id();
  const end = client.waitFor(
    (f): f is TServerFrame =>
      "id" in f && f.id === id && (f.type === "message.end" || f.type === "error"),
    `the end of message.open ${ref.uid}`,
    TIMEOUT_MS,
  );
  client.send({ type: "message.open", id, ref });
  const { frame } = await end;
  if (frame.type === "error") throw new Error(`message.open: ${frame.code}: ${frame.message}`);
}

/**
 * The reader's path through a conversation: the newest message opened, and at the same time
 * the others' collapsed lines (`messages.rows`), then the unread ones among them opened (the
 * stack expands them). Returns how many messages were opened.
 */
async function readerOpen(
  client: ProtocolClient,
  newest: TMessageRef,
  others: TMessageRef[],
): Promise<number> {
  const [, opened] = await Promise.all([
    openToEnd(client, newest),
    (async () => {
      const reply = await client.request({ type: "messages.rows", id: client.id(), refs: others });
      const { rows } = reply.frame;
      if (rows.length !== others.length) throw new Error(`messages.rows gave ${rows.length} rows`);
      const unread = rows.filter((r) => !r.flags.includes("\\Seen"));
      await Promise.all(unread.map((r) => openToEnd(client, { ...newest, uid: r.uid })));
      return unread.length;
    })(),
  ]);
  return opened + 1;
}

/** Marks all but the UNREAD_NEWEST newest of `uids` (ascending) read, and those unread. */
async function markThreadRead(bare: ImapFlow, uids: readonly number[]): Promise<void> {
  const older = uids.slice(0, -UNREAD_NEWEST);
  const newer = uids.slice(-UNREAD_NEWEST);
  await bare.messageFlagsAdd(older.join(","), ["\\Seen"], { uid: true });
  await bare.messageFlagsRemove(newer.join(","), ["\\Seen"], { uid: true });
}

export async function openRows(
  ctx: FigureContext,
  size: number,
  client: ProtocolClient,
  thread: Thread,
  other: Thread,
): Promise<Row[]> {
  const { repeats } = ctx.config;
  const w = await conversationWindow(client, 0, 5);
  const conv = w.conversations?.find((c) => c.uids.length >= THREAD_LENGTH);
  if (!conv) throw new Error(`no ${THREAD_LENGTH}-message conversation at the top`);
  const uids = [...conv.uids].sort((a, b) => a - b);
  const newestUid = uids.at(-1) as number;
  const otherUids = uids.slice(0, -1);
  const ref = (uid: number) => ({ mailbox: "INBOX", uidValidity: w.uidValidity, uid });
  const bare = await connectBare(ctx.mail.server, ctx.mail.bySize.get(size) as Account);
  const floor: number[] = [];
  const bridge: number[] = [];
  let opened = 0;
  try {
    await bare.mailboxOpen("INBOX");
    await markThreadRead(bare, uids);
    for (let i = 0; i <= repeats; i++) {
      const f = await bareConversationOpen(bare, newestUid, otherUids);
      const t0 = performance.now();
      opened = await readerOpen(client, ref(newestUid), otherUids.map(ref));
      const ms = performance.now() - t0;
      if (opened !== f.opened) throw new Error(`opened ${opened}, the floor ${f.opened}`);
      if (i === 0) continue;
      floor.push(f.ms);
      bridge.push(ms);
    }
  } finally {
    await closeBare(bare);
  }
  progress(
    `conversations ${size}: open ${thread.ids.length} messages (${opened} expanded) ${fmtMs(summarize(bridge)?.value ?? Number.NaN)}, floor ${fmtMs(summarize(floor)?.value ?? Number.NaN)}`,
  );
  const rows = [
    row({
      id: `conv.open.bridge.${size}`,
      figure: FIGURE,
      label: `bridge: open a ${THREAD_LENGTH}-message conversation (${UNREAD_NEWEST} newest unread)`,
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(bridge),
      floor: summarize(floor),
      budget: BUDGETS.conversationOpen,
      note: `the reader's path: message.open of the newest beside messages.rows of the other ${THREAD_LENGTH - 1}, then message.open of their unread; floor: the same FETCHes by a bare client`,
      samples: bridge,
      floorSamples: floor,
    }),
  ];
  try {
    const browser: number[] = [];
    const runs: BrowserOpen[] = [];
    const traceFile = ctx.config.profileDir
      ? join(ctx.config.profileDir, `conversations-open-${size}.trace.json`)
      : null;
    // Round 0 warms up; the last round (traced, when profiling) is not counted.
    for (let i = 0; i <= repeats + (traceFile ? 1 : 0); i++) {
      const extra = i > repeats;
      const user = ctx.mail.bySize.get(size) as Account;
      const run = await browserOpen(ctx, user, thread, other, uids, extra ? traceFile : null);
      progress(
        `conversations ${size}: open browser, ${extra ? "traced" : `run ${i}`}: ${describe(run)}`,
      );
      if (i > 0 && !extra) {
        browser.push(run.ms);
        runs.push(run);
      }
    }
    const whole = runs.filter((r) => r.ahead.lines && r.ahead.opens === r.ahead.of).length;
    progress(
      `conversations ${size}: open browser ${fmtMs(summarize(browser)?.value ?? Number.NaN)}; the stack was read ahead whole at the click in ${whole} of ${runs.length} runs`,
    );
    rows.push(
      row({
        id: `conv.open.browser.${size}`,
        figure: FIGURE,
        label: `browser: click → a ${THREAD_LENGTH}-message conversation read (${UNREAD_NEWEST} newest unread)`,
        side: "browser",
        size,
        unit: "ms",
        value: summarize(browser),
        floor: summarize(floor),
        budget: BUDGETS.conversationOpenBrowser,
        note: `the stack (lines and unread messages) was read ahead whole before the click in ${whole} of ${runs.length} runs; the click is Playwright's (the pointer comes onto the row just before it, with no dwell)`,
        samples: browser,
        floorSamples: floor,
      }),
    );
  } catch (err) {
    rows.push(errorRow(`conv.open.browser.${size}`, FIGURE, "browser", err));
  }
  return rows;
}

/** What of the stack the page had read ahead before the click (from the socket's frames). */
interface ReadAhead {
  /** Every `messages.rows` page naming the thread's other messages was answered. */
  lines: boolean;
  /** How many of the `of` unread messages (the newest included) had been opened to their end. */
  opens: number;
  of: number;
}

interface BrowserOpen {
  /** Click → the stack read. */
  ms: number;
  ahead: ReadAhead;
  /** From the pointer's first coming onto the row to the click. */
  hoverMs: number | null;
}

function describe(run: BrowserOpen): string {
  const { lines, opens, of } = run.ahead;
  const hover = run.hoverMs === null ? "no hover" : `hover ${fmtMs(run.hoverMs)} before`;
  return `${fmtMs(run.ms)}; at the click: lines ${lines ? "in" : "not in"}, ${opens} of ${of} unread opened; ${hover}`;
}

interface SocketFrame {
  at: number;
  sent: boolean;
  frame: { type?: string; id?: string; ref?: { uid?: number }; refs?: { uid?: number }[] };
}

/**
 * Every frame of the page's WebSockets, stamped with this process's clock (nowMs) as it hears of
 * it, which is after the page did.
 */
function recordFrames(page: Page): SocketFrame[] {
  const frames: SocketFrame[] = [];
  const add = (sent: boolean, payload: string | Buffer) => {
    try {
      frames.push({ at: nowMs(), sent, frame: JSON.parse(payload.toString()) });
    } catch {
      // not JSON: not a frame of the protocol
    }
  };
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => add(true, f.payload));
    ws.on("framereceived", (f) => add(false, f.payload));
  });
  return frames;
}

/** What of the stack of `uids` (ascending) had come in before `before`. */
function readAheadAt(
  frames: readonly SocketFrame[],
  uids: readonly number[],
  before: number,
): ReadAhead {
  const ofThread = new Set(uids);
  const unread = uids.slice(-UNREAD_NEWEST);
  const earlier = frames.filter((f) => f.at < before);
  const answered = new Set(earlier.filter((f) => !f.sent && f.frame.id).map((f) => f.frame.id));
  const rowsAsked = earlier.filter(
    (f) =>
      f.sent &&
      f.frame.type === "messages.rows" &&
      (f.frame.refs ?? []).some((r) => r.uid !== undefined && ofThread.has(r.uid)),
  );
  const named = new Set(
    rowsAsked
      .filter((f) => answered.has(f.frame.id))
      .flatMap((f) => (f.frame.refs ?? []).map((r) => r.uid)),
  );
  const ended = new Set(
    earlier.filter((f) => !f.sent && f.frame.type === "message.end").map((f) => f.frame.id),
  );
  const opened = unread.filter((uid) =>
    earlier.some(
      (f) =>
        f.sent &&
        f.frame.type === "message.open" &&
        f.frame.ref?.uid === uid &&
        ended.has(f.frame.id),
    ),
  );
  return {
    lines: uids.slice(0, -1).every((uid) => named.has(uid)),
    opens: opened.length,
    of: unread.length,
  };
}

/**
 * One browser open of the conversation: signed in on a fresh page that has read `other` (a short
 * thread) first, so the reader's code is loaded, and the thread's flags put back (the page marks
 * what it shows read); from the click on its row to the first frame in which the expanded
 * messages' text shows and every collapsed line names its sender. The click to that frame is
 * traced into `traceFile` when one is given. Also says what of the stack the page had read ahead
 * by the click (the socket's frames), and when the pointer first came onto the row.
 */
async function browserOpen(
  ctx: FigureContext,
  user: Account,
  thread: Thread,
  other: Thread,
  uids: readonly number[],
  traceFile: string | null,
): Promise<BrowserOpen> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  const bare = await connectBare(ctx.mail.server, user);
  try {
    await bare.mailboxOpen("INBOX");
    await markThreadRead(bare, uids);
  } finally {
    await closeBare(bare);
  }
  const markers = Array.from(
    { length: UNREAD_NEWEST },
    (_, k) => `Message ${THREAD_LENGTH - k} of ${thread.subject},`,
  );
  return withColdPage(
    browser,
    ctx.bridge.url,
    ctx.config.failureDir,
    "conversations-open",
    async (page, context) => {
      const frames = recordFrames(page);
      await page.goto("/");
      await signInThroughForm(page, user);
      await stamp(page, "load.rows", TIMEOUT_MS);
      await watch(
        page,
        "conv.other",
        "readerText",
        `Message ${other.ids.length} of ${other.subject},`,
      );
      await page.getByRole("option", { name: `Re: ${other.subject}` }).click();
      await stamp(page, "conv.other", TIMEOUT_MS);
      await watch(page, "conv.open", "stack", markers);
      const seen = await traced(browser, page, traceFile, async () => {
        await page
          .getByRole("option", { name: `${THREAD_LENGTH} messages, Re: ${thread.subject}` })
          .click();
        return stamp(page, "conv.open", TIMEOUT_MS);
      });
      const click = await clickStamp(page, thread.subject);
      const hover = await hoverStamp(page, thread.subject);
      // The click on this process's clock: what came in before it was in the page before it.
      const clock = await clockOffset(page);
      const clickAt = clock.origin + click - clock.offset;
      await signOutContext(context, ctx.bridge.url);
      return {
        ms: seen.at - click,
        ahead: readAheadAt(frames, uids, clickAt),
        hoverMs: hover === null ? null : click - hover,
      };
    },
  );
}
