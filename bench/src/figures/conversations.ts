/**
 * Figure 12: conversations (one row per thread) on the largest INBOXes (10,000 and 100,000
 * messages in a full run; 10,000 in quick mode).
 *
 * - sign-in → first window of conversations: the bridge side as figure 1's (POST /api/session,
 *   socket, `list.window` with `conversations`: THREAD once for the session, then the rows);
 *   the browser's cold sign-in (the user's setting on conversations) from the click to the first
 *   frame with a conversation row (one whose label counts its messages) in view. Floor: a bare
 *   client's connect + login + SELECT + `UID THREAD REFERENCES UTF-8 ALL` + FETCH of the
 *   envelopes of the 50 newest conversations' newest messages: what any client pays to show
 *   conversations from the server's threading, with nothing cached;
 * - jump to the middle of the conversations: `list.window` at the middle offset on a signed-in
 *   socket whose first window was read and the whole folder's order after it (it is cached).
 *   Floor: FETCH of the 50 envelopes at that spot on a connection that threaded before (a client
 *   keeping the THREAD answer);
 * - open a 50-message conversation: a thread of 50 replies, delivered over LMTP in the figure's
 *   setup (the seeded content is left as it is), its 3 newest unread and the rest read. The
 *   reader's path, as web/components/conversation-stack.tsx takes it: `message.open` of the
 *   newest beside one `messages.rows` for the others' collapsed lines, then `message.open` of
 *   each unread one (expanded), until the last `message.end`. Floor: a bare client's FETCHes of
 *   the same (the newest's structure and text, the 49 lines' flags, envelopes and previews, the
 *   unread ones' structure and text), one after another on one connection. The browser: a
 *   click on the conversation's row to the first frame showing the expanded messages' text and
 *   a sender on every collapsed line;
 * - delivery → conversation row moved to the top: a reply delivered over LMTP to the conversation
 *   just below the top, until the socket's `conversations.changed` (bridge) and the first frame
 *   in which the page shows the row with its new count (browser). Floor: a bare client IDLE on
 *   INBOX, at its EXISTS. Deliveries alternate between two conversations, so each moves one.
 */
import { LIST_WINDOW_SIZE, type TMessageRef, type TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import {
  clickStamp,
  settleSignInPage,
  signInThroughForm,
  signOutContext,
  stamp,
  watch,
  withColdPage,
} from "../browser/browser";
import { EventWatchingPage } from "../browser/watching-page";
import { bareConversationOpen, closeBare, connectBare, idleFloor } from "../client/floor";
import { bareThreadSignIn, bareThreads } from "../client/floor-thread";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { token } from "../mail/messages";
import { nowMs, progress } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import type { Account } from "../stack/mail";
import { summarize } from "../stats";
import { arrivalTimes, type FigureContext, fmtMs } from "./context";

const FIGURE = "12 conversations";
const TIMEOUT_MS = 15_000;
const THREAD_LENGTH = 50;
/** The open figure's thread has its newest few unread (the stack expands them), the rest read. */
const UNREAD_NEWEST = 3;
/** A conversation row's label counts its messages ("…, 3 messages, …"). */
const CONVERSATION_ROW = " messages, ";

/** A message of a bench thread: `refs` (oldest first) make it a reply. */
function threadMessage(to: string, subject: string, id: string, refs: string[]): string {
  return [
    `From: "Bench Sender" <sender@bench.test>`,
    `To: <${to}>`,
    `Subject: ${refs.length > 0 ? "Re: " : ""}${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${id}`,
    ...(refs.length > 0 ? [`In-Reply-To: ${refs.at(-1)}`, `References: ${refs.join(" ")}`] : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Message ${refs.length + 1} of ${subject}, delivered by the Ferry benchmark.`,
    "",
  ].join("\r\n");
}

/** A thread being delivered: its subject and its messages' ids, oldest first. */
interface Thread {
  subject: string;
  ids: string[];
}

async function deliverReply(ctx: FigureContext, user: Account, thread: Thread): Promise<void> {
  const id = `<${token("conv").replace(/\W/g, "")}@bench.test>`;
  const raw = threadMessage(user.email, thread.subject, id, thread.ids);
  await ctx.mail.server.deliver(raw, { from: "sender@bench.test", to: [user.email] });
  thread.ids.push(id);
}

async function conversationWindow(client: ProtocolClient, offset: number, limit: number) {
  const reply = await client.request({
    type: "list.window",
    id: client.id(),
    mailbox: "INBOX",
    offset,
    limit,
    conversations: true,
  });
  if (!reply.frame.conversations) throw new Error("list.window gave no conversations");
  return reply.frame;
}

/** One bridge-side sign-in to the first window of conversations; signs out afterwards. */
async function bridgeSignIn(ctx: FigureContext, user: Account): Promise<number> {
  const t0 = performance.now();
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  try {
    const w = await conversationWindow(client, 0, LIST_WINDOW_SIZE);
    if (w.rows.length === 0) throw new Error("no conversation rows");
    return performance.now() - t0;
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
}

/** The user's setting: conversations on or off (it follows the user to the browser). */
export async function setConversationView(
  ctx: FigureContext,
  user: Account,
  on: boolean,
): Promise<void> {
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  try {
    await client.request({
      type: "settings.save",
      id: client.id(),
      change: { conversations: on },
    });
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
}

/** One cold browser sign-in to a conversation row in view. Milliseconds from the click. */
async function browserSignIn(ctx: FigureContext, user: Account): Promise<number> {
  const browser = ctx.browser;
  if (!browser) throw new Error("no browser");
  return withColdPage(
    browser,
    ctx.bridge.url,
    ctx.config.failureDir,
    "conversations-signin",
    async (page, context) => {
      await page.goto("/");
      await settleSignInPage(page);
      await watch(page, "conv.rows", "row", CONVERSATION_ROW);
      await signInThroughForm(page, user);
      const seen = await stamp(page, "conv.rows", TIMEOUT_MS);
      const click = await clickStamp(page, "Sign in");
      await signOutContext(context, ctx.bridge.url);
      return seen.at - click;
    },
  );
}

async function signInRows(ctx: FigureContext, size: number, user: Account): Promise<Row[]> {
  const { repeats } = ctx.config;
  const bare = () => connectBare(ctx.mail.server, user);
  await bareThreadSignIn(bare);
  await bridgeSignIn(ctx, user);
  const floor: number[] = [];
  const bridge: number[] = [];
  for (let i = 0; i < repeats; i++) {
    floor.push(await bareThreadSignIn(bare));
    bridge.push(await bridgeSignIn(ctx, user));
  }
  const floorSummary = summarize(floor);
  const rows: Row[] = [
    row({
      id: `conv.signin.bridge.${size}`,
      figure: FIGURE,
      label: "bridge: sign-in → first window of conversations",
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(bridge),
      floor: floorSummary,
      budget: BUDGETS.signIn,
      note: "floor: connect, login, SELECT, UID THREAD REFERENCES, FETCH 50 envelopes",
      samples: bridge,
      floorSamples: floor,
    }),
  ];
  progress(
    `conversations ${size}: sign-in bridge ${fmtMs(summarize(bridge)?.value ?? Number.NaN)}, floor ${fmtMs(floorSummary?.value ?? Number.NaN)}`,
  );
  if (!ctx.browser) {
    rows.push(errorRow(`conv.signin.browser.${size}`, FIGURE, "browser", "no web app"));
    return rows;
  }
  try {
    await browserSignIn(ctx, user);
    const cold: number[] = [];
    for (let i = 0; i < repeats; i++) cold.push(await browserSignIn(ctx, user));
    rows.push(
      row({
        id: `conv.signin.browser.${size}`,
        figure: FIGURE,
        label: "browser, cold: click → conversation rows",
        side: "browser",
        size,
        unit: "ms",
        value: summarize(cold),
        floor: floorSummary,
        budget: BUDGETS.signIn,
        samples: cold,
        floorSamples: floor,
      }),
    );
    progress(
      `conversations ${size}: sign-in browser ${fmtMs(summarize(cold)?.value ?? Number.NaN)}`,
    );
  } catch (err) {
    rows.push(errorRow(`conv.signin.browser.${size}`, FIGURE, "browser", err));
  }
  return rows;
}

async function jumpRows(
  ctx: FigureContext,
  size: number,
  client: ProtocolClient,
  total: number,
): Promise<Row[]> {
  const { repeats } = ctx.config;
  const bare = await connectBare(ctx.mail.server, ctx.mail.bySize.get(size) as Account);
  const floor: number[] = [];
  const bridge: number[] = [];
  try {
    await bare.mailboxOpen("INBOX");
    const threads = await bareThreads(bare);
    for (let i = 0; i <= repeats; i++) {
      const offset = Math.max(0, Math.floor(total / 2) + (i - Math.floor(repeats / 2)) * 101);
      const newest = threads.slice(offset, offset + 50).map((t) => t[0] as number);
      const f0 = performance.now();
      await bare.fetchAll(
        newest.join(","),
        { uid: true, flags: true, envelope: true },
        { uid: true },
      );
      const f = performance.now() - f0;
      const t0 = performance.now();
      const w = await conversationWindow(client, offset, 50);
      const ms = performance.now() - t0;
      if (w.rows.length !== 50) throw new Error(`the jump gave ${w.rows.length} rows`);
      if (i === 0) continue;
      floor.push(f);
      bridge.push(ms);
    }
  } finally {
    await closeBare(bare);
  }
  progress(`conversations ${size}: jump bridge ${fmtMs(summarize(bridge)?.value ?? Number.NaN)}`);
  return [
    row({
      id: `conv.jump.bridge.${size}`,
      figure: FIGURE,
      label: "bridge: list.window of conversations at the middle",
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(bridge),
      floor: summarize(floor),
      budget: BUDGETS.jump,
      note: "floor: FETCH of the 50 newest messages' envelopes there, THREAD answer kept",
      samples: bridge,
      floorSamples: floor,
    }),
  ];
}

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

async function openRows(
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
    for (let i = 0; i <= repeats; i++) {
      const ms = await browserOpen(ctx, ctx.mail.bySize.get(size) as Account, thread, other, uids);
      if (i > 0) browser.push(ms);
    }
    progress(
      `conversations ${size}: open browser ${fmtMs(summarize(browser)?.value ?? Number.NaN)}`,
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
        budget: BUDGETS.conversationOpen,
        samples: browser,
        floorSamples: floor,
      }),
    );
  } catch (err) {
    rows.push(errorRow(`conv.open.browser.${size}`, FIGURE, "browser", err));
  }
  return rows;
}

/**
 * One browser open of the conversation: signed in on a fresh page that has read `other` (a short
 * thread) first, so the reader's code is loaded, and the thread's flags put back (the page marks
 * what it shows read); from the click on its row to the first frame in which the expanded
 * messages' text shows and every collapsed line names its sender.
 */
async function browserOpen(
  ctx: FigureContext,
  user: Account,
  thread: Thread,
  other: Thread,
  uids: readonly number[],
): Promise<number> {
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
      await page
        .getByRole("option", { name: `${THREAD_LENGTH} messages, Re: ${thread.subject}` })
        .click();
      const seen = await stamp(page, "conv.open", TIMEOUT_MS);
      const click = await clickStamp(page, thread.subject);
      await signOutContext(context, ctx.bridge.url);
      return seen.at - click;
    },
  );
}

async function deliveryRows(
  ctx: FigureContext,
  size: number,
  user: Account,
  client: ProtocolClient,
  threads: [Thread, Thread],
): Promise<Row[]> {
  const bare = await connectBare(ctx.mail.server, user, { disableAutoIdle: true });
  const bareIdle = await idleFloor(bare, "INBOX");
  const page = await EventWatchingPage.open(
    ctx.browser,
    ctx.bridge.url,
    user,
    ctx.config.failureDir,
    "conversations-push",
  );
  const floor: number[] = [];
  const bridge: number[] = [];
  const browser: number[] = [];
  const moved: string[] = [];
  try {
    for (let i = 0; i < ctx.config.deliveries + 1; i++) {
      const thread = threads[i % 2] as Thread;
      const count = thread.ids.length + 1;
      const floorSeen = bareIdle.nextExists();
      const bridgeSeen = client.next(
        "conversations.changed",
        (f) => f.changes.some((c) => c.to === 0 && c.conversation.count === count),
        TIMEOUT_MS,
      );
      const name = `conv.push.${i}`;
      await page.watch(name, "row", `${count} messages, Re: ${thread.subject}`);
      await deliverReply(ctx, user, thread);
      const t0 = nowMs();
      const [floorAt, bridgeAt] = await arrivalTimes(floorSeen, bridgeSeen, TIMEOUT_MS);
      const change = await bridgeSeen.catch(() => null);
      const from = change?.frame.changes.find((c) => c.to === 0)?.from;
      if (from !== undefined) moved.push(String(from));
      const seen = await page.seenAfter(name, t0, TIMEOUT_MS);
      if (i === 0) continue;
      floor.push(floorAt - t0);
      bridge.push(bridgeAt - t0);
      if (seen !== null) browser.push(seen);
    }
  } finally {
    await page.close();
    await closeBare(bare);
    await bareIdle.idling;
  }
  progress(
    `conversations ${size}: delivery → row bridge p50 ${fmtMs(summarize(bridge, 50)?.value ?? Number.NaN)}, moved from ${[...new Set(moved)].join("/")}`,
  );
  const rows: Row[] = [];
  for (const [stat, p, budget] of [
    ["p50", 50, BUDGETS.pushP50],
    ["p95", 95, BUDGETS.pushP95],
  ] as const) {
    rows.push(
      row({
        id: `conv.push.bridge.${size}.${stat}`,
        figure: FIGURE,
        label: "bridge: delivery → conversations.changed (row to the top), via LMTP",
        side: "bridge",
        size,
        unit: "ms",
        stat,
        value: summarize(bridge, p),
        floor: summarize(floor, p),
        budget,
        samples: bridge,
        floorSamples: floor,
      }),
    );
    if (browser.length > 0) {
      rows.push(
        row({
          id: `conv.push.browser.${size}.${stat}`,
          figure: FIGURE,
          label: "browser: conversation row moved to the top, via LMTP",
          side: "browser",
          size,
          unit: "ms",
          stat,
          value: summarize(browser, p),
          floor: summarize(floor, p),
          budget,
          samples: browser,
          floorSamples: floor,
        }),
      );
    }
  }
  if (browser.length === 0) {
    rows.push(errorRow(`conv.push.browser.${size}`, FIGURE, "browser", page.error));
  }
  return rows;
}

export async function conversationsFigure(ctx: FigureContext): Promise<Row[]> {
  const sizes = ctx.config.sizes.filter((s) => s >= 10_000);
  const largest = Math.max(...sizes);
  const rows: Row[] = [];
  for (const size of sizes) {
    const user = ctx.mail.bySize.get(size);
    if (!user) throw new Error(`no user for size ${size}`);
    await setConversationView(ctx, user, true);
    rows.push(...(await signInRows(ctx, size, user)));
  }

  const user = ctx.mail.bySize.get(largest) as Account;
  // Setup: a 50-message thread and a short one below it, delivered now (seeded content stays).
  const long: Thread = { subject: token("Fifty replies"), ids: [] };
  const short: Thread = { subject: token("Short thread"), ids: [] };
  for (let i = 0; i < THREAD_LENGTH; i++) await deliverReply(ctx, user, long);
  for (let i = 0; i < 2; i++) await deliverReply(ctx, user, short);

  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  try {
    await client.request({ type: "mailbox.open", id: client.id(), path: "INBOX", readOnly: false });
    const first = await conversationWindow(client, 0, LIST_WINDOW_SIZE);
    // A large folder's first windows come from its newest messages (their total an estimate): a
    // window past that estimate waits for the whole folder's order and says how many there are.
    const whole = await conversationWindow(client, first.total, 1);
    rows.push(...(await jumpRows(ctx, largest, client, whole.total)));
    try {
      rows.push(...(await openRows(ctx, largest, client, long, short)));
    } catch (err) {
      rows.push(errorRow(`conv.open.bridge.${largest}`, FIGURE, "bridge", err));
    }
    rows.push(...(await deliveryRows(ctx, largest, user, client, [long, short])));
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
  return rows;
}
