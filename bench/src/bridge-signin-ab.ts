/**
 * A/B probe for figure 1's bridge rows (a tool for work on them, not a benchmark row): two built
 * bridges (two bridge/dist-*\/main.js) on one mail server, the same user signed in to each in
 * strict alternation (which goes first alternating too), with the floor (a bare client's
 * sign-in, client/floor.ts) in the same turns, so load from elsewhere on the machine falls on
 * all three alike. Each sign-in is figure 1's bridge row: POST /api/session, the socket's hello,
 * `list.window` of the first 50 rows, of conversations (the default) or, with AB_FLAT=1, of
 * messages (the user's setting saved so on each bridge first). Two untimed sign-ins per bridge
 * first: the first threads INBOX and stays 4 s (a large INBOX's whole order is threaded behind
 * its head meanwhile, as in the benchmark, whose browser sessions last), the second is a repeat
 * sign-in, as every timed one (AB_HOLD_MS: another hold, for a slow THREAD). Both bridges' last windows are compared (their `rev` aside).
 *
 *   cd bench && node --import tsx src/bridge-signin-ab.ts <bridgeMainA> <bridgeMainB> [rounds] [sizes]
 *
 * (the same file twice measures the noise; sizes as "1000,10000"). Prints medians and the
 * median of the per-round differences B − A.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LIST_WINDOW_SIZE, type TServerFrame } from "@ferry/protocol";
import { cleanupAll } from "./cleanup";
import { bareSignIn } from "./client/floor";
import { type BridgeAddress, ProtocolClient, signIn, signOut } from "./client/protocol";
import { loadBenchConfig } from "./config";
import { conversationWindow } from "./figures/conversations-common";
import { startBridge } from "./stack/bridge";
import { type Account, startBenchMail } from "./stack/mail";

const FLAT = process.env.AB_FLAT === "1";
/**
 * AB_ANSWER=1: each sign-in asks the answer for INBOX's first window (as the web app does, its
 * screen said to show ANSWER_ROWS rows), and the figure is the user's first open right after:
 * at the socket's hello, `list.window` (the page's re-ask) and `message.open` of the answer's
 * 9th row sent together; from the hello to the open's `message.end`.
 */
const ANSWER = process.env.AB_ANSWER === "1";
const ANSWER_ROWS = 12;

/** The last window each bridge answered (its rev left out), to check both answer the same. */
const lastWindow = new Map<BridgeAddress, string>();

/**
 * One sign-in to the first window; milliseconds. `holdMs`: the session stays that long after it
 * (untimed), as a browser's does, so a large INBOX's head is replaced by its whole order
 * (threads/order.ts: within 3 s of its first read) before the timed sign-ins, as in the benchmark.
 */
async function bridgeSignIn(bridge: BridgeAddress, user: Account, holdMs = 0): Promise<number> {
  if (ANSWER) return answerThenOpen(bridge, user, holdMs);
  const t0 = performance.now();
  const cookie = await signIn(bridge, user);
  const client = await ProtocolClient.open(bridge, cookie);
  try {
    if (FLAT) {
      const w = await client.request({
        type: "list.window",
        id: client.id(),
        mailbox: "INBOX",
        offset: 0,
        limit: LIST_WINDOW_SIZE,
      });
      if (w.frame.rows.length === 0) throw new Error("no rows");
      const { rev: _rev, id: _id, ...same } = w.frame;
      lastWindow.set(bridge, JSON.stringify(same));
    } else {
      const w = await conversationWindow(client, 0, LIST_WINDOW_SIZE);
      if (w.rows.length === 0) throw new Error("no conversation rows");
      const { rev: _rev, id: _id, ...same } = w;
      lastWindow.set(bridge, JSON.stringify(same));
    }
    const ms = performance.now() - t0;
    if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    return ms;
  } finally {
    client.close();
    await signOut(bridge, cookie);
  }
}

/** AB_ANSWER's sign-in: hello → the first open's end, the window asked beside it; ms. */
async function answerThenOpen(bridge: BridgeAddress, user: Account, holdMs: number) {
  const res = await fetch(`${bridge.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: bridge.origin },
    body: JSON.stringify({
      email: user.email,
      password: user.password,
      inbox: { conversations: !FLAT, rows: ANSWER_ROWS },
    }),
  });
  const body = (await res.json()) as { inbox?: { uidValidity: number; rows: { uid: number }[] } };
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  const inbox = body.inbox;
  const row = inbox?.rows[8];
  if (!res.ok || !cookie || !inbox || !row)
    throw new Error(`sign-in without a window: ${res.status}`);
  const client = await ProtocolClient.open(bridge, cookie);
  try {
    const t0 = performance.now();
    const windowId = client.id();
    const window = client.waitFor(
      (f): f is TServerFrame => "id" in f && f.id === windowId,
      "the window",
      60_000,
    );
    client.send({
      type: "list.window",
      id: windowId,
      mailbox: "INBOX",
      offset: 0,
      limit: LIST_WINDOW_SIZE,
      query: null,
      ...(FLAT ? {} : { conversations: true }),
    });
    const openId = client.id();
    const end = client.waitFor(
      (f): f is TServerFrame =>
        "id" in f && f.id === openId && (f.type === "message.end" || f.type === "error"),
      "the open's end",
      60_000,
    );
    client.send({
      type: "message.open",
      id: openId,
      ref: { mailbox: "INBOX", uidValidity: inbox.uidValidity, uid: row.uid },
    });
    const { frame } = await end;
    const ms = performance.now() - t0;
    if (frame.type === "error") throw new Error(`message.open: ${frame.code}`);
    const w = (await window).frame;
    if (w.type !== "list.window") throw new Error(`no window: ${w.type}`);
    const { rev: _rev, id: _id, ...same } = w;
    lastWindow.set(bridge, JSON.stringify(same));
    if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    return ms;
  } finally {
    client.close();
    await signOut(bridge, cookie);
  }
}

async function saveView(bridge: BridgeAddress, user: Account, conversations: boolean) {
  const cookie = await signIn(bridge, user);
  const client = await ProtocolClient.open(bridge, cookie);
  try {
    await client.request({ type: "settings.save", id: client.id(), change: { conversations } });
  } finally {
    client.close();
    await signOut(bridge, cookie);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const [mainA, mainB, roundsText, sizesText] = process.argv.slice(2);
  if (!mainA || !mainB) {
    throw new Error("usage: bridge-signin-ab.ts <bridgeMainA> <bridgeMainB> [rounds] [sizes]");
  }
  const rounds = Number(roundsText ?? 20);
  const sizes = (sizesText ?? "1000,10000").split(",").map(Number);
  const base = loadBenchConfig(process.env, ["--quick", "--only=signin"]);
  const config = { ...base, sizes };
  const mail = await startBenchMail(config);
  const bridges = [];
  for (const m of [mainA, mainB]) {
    bridges.push(await startBridge({ ...config, bridgeMain: resolve(m) }, mail.server));
  }
  for (const size of sizes) {
    const user = mail.bySize.get(size);
    if (!user) throw new Error(`no user of ${size}`);
    for (const b of bridges) {
      if (FLAT) await saveView(b, user, false);
      // a first THREAD of a large INBOX on a loaded machine can lose its connection: once more
      await bridgeSignIn(b, user, Number(process.env.AB_HOLD_MS ?? 4_000)).catch(() =>
        bridgeSignIn(b, user, Number(process.env.AB_HOLD_MS ?? 4_000)),
      );
      await bridgeSignIn(b, user);
    }
    await bareSignIn(mail.server, user);
    const a: number[] = [];
    const bb: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const ms = await bridgeSignIn(bridges[k] as BridgeAddress, user);
        (k === 0 ? a : bb).push(ms);
      }
      floor.push(await bareSignIn(mail.server, user));
    }
    const [wa, wb] = bridges.map((b) => lastWindow.get(b));
    const same = wa === wb ? "the same window from both" : "THE WINDOWS DIFFER";
    if (wa !== wb && process.env.AB_DIFF_DIR) {
      writeFileSync(join(process.env.AB_DIFF_DIR, `a-${size}.json`), wa ?? "");
      writeFileSync(join(process.env.AB_DIFF_DIR, `b-${size}.json`), wb ?? "");
    }
    const diffs = a.map((x, i) => (bb[i] ?? 0) - x);
    const f = (xs: number[]) =>
      `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    console.log(
      `${size} ${FLAT ? "flat" : "conversations"}${ANSWER ? ", hello → first open (window in the answer)" : ""}, ${rounds} rounds: A ${f(a)}, B ${f(bb)}, floor ${f(floor)}; ` +
        `B−A median ${median(diffs).toFixed(1)} ms (${same}); ratio to floor A ${(median(a) / median(floor)).toFixed(2)}×, B ${(median(bb) / median(floor)).toFixed(2)}×`,
    );
  }
  for (const b of bridges) await b.stop();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
