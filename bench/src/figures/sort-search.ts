/**
 * Figures 7 and 8: a sorted list and a search of all folders, bridge side.
 *
 * 7 sort by sender, on the largest INBOX (100,000 messages in a full run):
 * - first window: a new session (so nothing of the bridge is cached) asks `list.window` of the
 *   first 50 rows sorted by sender; the bridge SORTs the whole folder once and keeps the order;
 * - jump to the middle: the same session asks 50 rows at the middle (each repeat a different
 *   spot, 1,013 rows apart), a slice of the kept order;
 * - floors: a bare client with INBOX selected runs the same `UID SORT RETURN (ALL)
 *   (DISPLAYFROM)` and FETCHes the first 50 rows; then FETCHes the 50 at the middle of its order.
 * The first repeat warms Dovecot's own sort index and is not counted: the figures are a new
 * session on a folder the server has sorted before. Before either is timed, the session reads
 * ahead the newest message of INBOX (a background `message.open` to its end), as the web app
 * does once its first list settles (use-open-prefetch), and the floor's connection reads that
 * message too: a new IMAP connection's first read of a message file costs Dovecot (maildir) a
 * rescan of the folder's cur/ (its uidlist keeps file names without their flags), about 250 ms
 * at 100,000 messages, which an app session has paid by the time its user sorts; unwarmed, the
 * middle window paid it (the rows need BODYSTRUCTURE and PREVIEW), and the floor paid it or not
 * depending on which envelopes earlier figures had left in Dovecot's cache.
 *
 * 8 search all folders: `in:anywhere from:<a sender>` on a user whose INBOX, Sent and Archive
 * hold mail (Trash and Junk too, left out), to the first 50 results. Floor: a bare client
 * searching each folder the bridge searched (SELECT, UID SEARCH, FETCH INTERNALDATE of the
 * matches to merge them by arrival), then FETCHing the 50 newest rows.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { closeBare, connectBare } from "../client/floor";
import { bareRows, bareSearchFolders, bareSortBySender } from "../client/floor-sort";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { progress } from "../progress";
import { BUDGETS, type Row, row } from "../report";
import { summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";

const SORT_FIGURE = "7 sort by sender";
const SEARCH_FIGURE = "8 search all folders";
const SPREAD = 1013;
const SENDER = { key: "from", reverse: false } as const;
/** How long the read-ahead open of the newest message may take. */
const READ_AHEAD_MS = 30_000;
/** A sender of the seeder's corpus: some of every folder's mail is from him. */
const SEARCH_FROM = "bob@globex.example";

/**
 * What the web app does once its first list settles: the newest message of INBOX opened in the
 * background (`message.open`, to its `message.end`), its first message file read on the
 * session's command connection.
 */
async function readAheadNewest(client: ProtocolClient): Promise<void> {
  const head = await client.request({
    type: "list.window",
    id: client.id(),
    mailbox: "INBOX",
    offset: 0,
    limit: 50,
  });
  const newest = head.frame.rows[0];
  if (!newest) throw new Error("INBOX listed no rows");
  const id = client.id();
  const end = client.waitFor(
    (f): f is TServerFrame =>
      "id" in f && f.id === id && (f.type === "message.end" || f.type === "error"),
    "the end of the read-ahead open",
    READ_AHEAD_MS,
  );
  const ref = { mailbox: "INBOX", uidValidity: head.frame.uidValidity, uid: newest.uid };
  client.send({ type: "message.open", id, ref, background: true });
  const { frame } = await end;
  if (frame.type === "error") throw new Error(`message.open: ${frame.code}: ${frame.message}`);
}

/** The floor's same read: the newest message of the selected mailbox, whole. */
async function bareReadNewest(client: ImapFlow): Promise<void> {
  const newest = await client.fetchOne("*", { uid: true, source: true });
  if (newest === false || !newest.source) throw new Error("the floor read no message");
}

export async function sortFigure(ctx: FigureContext): Promise<Row[]> {
  const size = Math.max(...ctx.config.sizes);
  const user = ctx.mail.bySize.get(size);
  if (!user) throw new Error(`no user for size ${size}`);
  const { repeats } = ctx.config;
  const first: number[] = [];
  const middle: number[] = [];
  const floorFirst: number[] = [];
  const floorMiddle: number[] = [];
  for (let i = 0; i <= repeats; i++) {
    const mid = Math.min(size - 50, Math.floor(size / 2) + (i - Math.floor(repeats / 2)) * SPREAD);

    const bare = await connectBare(ctx.mail.server, user, { disableAutoIdle: true });
    let f0: number;
    let f1: number;
    try {
      await bare.mailboxOpen("INBOX", { readOnly: true });
      await bareReadNewest(bare);
      const t0 = performance.now();
      const order = await bareSortBySender(bare);
      await bareRows(bare, order.slice(0, 50));
      f0 = performance.now() - t0;
      const t1 = performance.now();
      const got = await bareRows(bare, order.slice(mid, mid + 50));
      f1 = performance.now() - t1;
      if (got !== 50) throw new Error(`the floor fetched ${got} rows at the middle`);
    } finally {
      await closeBare(bare);
    }

    const cookie = await signIn(ctx.bridge, user);
    const client = await ProtocolClient.open(ctx.bridge, cookie);
    try {
      await readAheadNewest(client);
      const t0 = performance.now();
      const top = await client.request({
        type: "list.window",
        id: client.id(),
        mailbox: "INBOX",
        offset: 0,
        limit: 50,
        sort: SENDER,
      });
      const b0 = performance.now() - t0;
      if (top.frame.rows.length !== 50) throw new Error(`got ${top.frame.rows.length} rows`);
      const t1 = performance.now();
      const there = await client.request({
        type: "list.window",
        id: client.id(),
        mailbox: "INBOX",
        offset: mid,
        limit: 50,
        sort: SENDER,
      });
      const b1 = performance.now() - t1;
      if (there.frame.rows.length !== 50) throw new Error(`got ${there.frame.rows.length} rows`);
      if (i === 0) continue;
      first.push(b0);
      middle.push(b1);
      floorFirst.push(f0);
      floorMiddle.push(f1);
    } finally {
      client.close();
      await signOut(ctx.bridge, cookie);
    }
  }
  progress(
    `sort ${size}: first window ${fmtMs(summarize(first)?.value ?? Number.NaN)}, middle ${fmtMs(summarize(middle)?.value ?? Number.NaN)}`,
  );
  return [
    row({
      id: `sort.first.${size}`,
      figure: SORT_FIGURE,
      label: "bridge: new session → first window",
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(first),
      floor: summarize(floorFirst),
      note: "the server's SORT of the whole folder, kept for the windows that follow",
      samples: first,
      floorSamples: floorFirst,
    }),
    row({
      id: `sort.middle.${size}`,
      figure: SORT_FIGURE,
      label: "bridge: list.window at the middle",
      side: "bridge",
      size,
      unit: "ms",
      value: summarize(middle),
      floor: summarize(floorMiddle),
      budget: BUDGETS.jump,
      note: "a session that has read ahead its newest message, as the app does once its list settles (a new connection's first message read costs Dovecot a rescan of cur/)",
      samples: middle,
      floorSamples: floorMiddle,
    }),
  ];
}

export async function searchAllFigure(ctx: FigureContext): Promise<Row[]> {
  const user = ctx.mail.folders;
  const { repeats } = ctx.config;
  const query = `in:anywhere from:${SEARCH_FROM}`;
  const bridge: number[] = [];
  const floor: number[] = [];
  let total = 0;
  let searched: string[] = [];
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  const bare = await connectBare(ctx.mail.server, user, { disableAutoIdle: true });
  try {
    for (let i = 0; i <= repeats; i++) {
      const t0 = performance.now();
      const reply = await client.request({
        type: "list.window",
        id: client.id(),
        mailbox: "INBOX",
        offset: 0,
        limit: 50,
        query,
      });
      const ms = performance.now() - t0;
      total = reply.frame.total;
      searched = reply.frame.searched ?? [];
      if (reply.frame.rows.length === 0) throw new Error("the search found nothing");
      const f0 = performance.now();
      const found = await bareSearchFolders(bare, searched, { from: SEARCH_FROM });
      const f = performance.now() - f0;
      if (found !== total) throw new Error(`the floor found ${found}, the bridge ${total}`);
      if (i === 0) continue;
      bridge.push(ms);
      floor.push(f);
    }
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
    await closeBare(bare);
  }
  progress(`search all folders: ${fmtMs(summarize(bridge)?.value ?? Number.NaN)}`);
  return [
    row({
      id: "searchall.first",
      figure: SEARCH_FIGURE,
      label: "bridge: in:anywhere → first results",
      side: "bridge",
      unit: "ms",
      value: summarize(bridge),
      floor: summarize(floor),
      note: `${total.toLocaleString("en-US")} matches in ${searched.join(", ")}`,
      samples: bridge,
      floorSamples: floor,
    }),
  ];
}
