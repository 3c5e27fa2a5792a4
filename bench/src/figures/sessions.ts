/**
 * Figure 5: idle sessions. A bridge process of its own (so nothing else is in its RSS) holds
 * 0, then 100, then 1,000 signed-in sessions (quick mode: fewer). Each session is what a browser
 * tab makes of one: POST /api/session, a socket, `mailboxes.list`, `mailbox.open` INBOX and the
 * first `list.window` — then it sits idle. Sessions are spread over several users,
 * `sessionsPerUser` each (so most sessions share their account with many others, as the tabs
 * and devices of one person do, and the bridge's sessions of one user share its watch
 * connections: each session holds its command connection, each user one INBOX watcher in IDLE
 * and one NOTIFY connection), to stay within Dovecot's per-user+IP connection limit.
 *
 * - RSS of the bridge at each count (the median of 3 samples after settling), and per session
 *   (RSS(N) − RSS(0)) ÷ N; the IMAP connections Dovecot holds for those users (`doveadm who`)
 *   in the note;
 * - one pushed event to all: one LMTP delivery addressed to every user with a session, from the
 *   LMTP 250 to the last socket's `messages.new` (median of the repeats), against a bare
 *   imapflow client in IDLE on one of those mailboxes (its `exists`).
 */
import { readFileSync } from "node:fs";
import { LIST_WINDOW_SIZE } from "@ferry/protocol";
import { closeBare, connectBare, idleFloor } from "../client/floor";
import { ProtocolClient, signIn } from "../client/protocol";
import { smallMessage, token } from "../mail/messages";
import { mapLimit, nowMs, progress, withTimeout } from "../progress";
import { BUDGETS, errorRow, type Row, row } from "../report";
import { type BridgeProcess, startBridge } from "../stack/bridge";
import { cpuSnapshot, cpuSpent } from "../stack/cpu";
import type { Account, BenchMail } from "../stack/mail";
import { percentile, summarize } from "../stats";
import { type FigureContext, fmtMs } from "./context";

const FIGURE = "5 idle sessions";
const MB = 1024 * 1024;
/**
 * Below the bridge's sign-in limiter (5 attempts per email, and attempts still being checked
 * count): 8 at once for one user was refused with 429 on a loaded machine.
 */
const SIGN_IN_CONCURRENCY = 4;
const PUSH_REPEATS = 3;
/** Longer than Dovecot's IDLE fallback poll (mailbox_idle_check_interval, 30 s): see below. */
const ARRIVAL_MS = 40_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Dovecot watches an IDLE mailbox with one inotify instance per imap process, and every imap
 * process runs as the one mail uid; past fs.inotify.max_user_instances (128 by default) Dovecot
 * logs "Inotify instance limit … exceeded" and falls back to polling every
 * mailbox_idle_check_interval (30 s), so the rest of the sessions hear of new mail late.
 */
function inotifyInstances(): number | null {
  try {
    return Number(readFileSync("/proc/sys/fs/inotify/max_user_instances", "utf8").trim());
  } catch {
    return null;
  }
}

function dovecotInotifyWarning(logFile: string): string | null {
  try {
    const line = readFileSync(logFile, "utf8")
      .split("\n")
      .find((l) => /inotify/i.test(l));
    return line ? line.replace(/^.*?(Warning|Error): /, "").slice(0, 160) : null;
  } catch {
    return null;
  }
}

/** IMAP connections Dovecot holds for `emails` now (`doveadm who`), or null when it cannot say. */
async function imapConnections(
  server: BenchMail["server"],
  emails: readonly string[],
): Promise<number | null> {
  try {
    const { stdout } = await server.doveadm(["who", "-1"]);
    const wanted = new Set(emails);
    return stdout.split("\n").filter((line) => wanted.has(line.split(/\s+/)[0] ?? "")).length;
  } catch {
    return null;
  }
}

async function settledRss(bridge: BridgeProcess): Promise<number> {
  await sleep(3000);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(bridge.rss());
    await sleep(1000);
  }
  return percentile(samples, 50);
}

async function openSession(bridge: BridgeProcess, user: Account): Promise<ProtocolClient> {
  const cookie = await signIn(bridge, user);
  const client = await ProtocolClient.open(bridge, cookie);
  await client.request({ type: "mailboxes.list", id: client.id() });
  await client.request({ type: "mailbox.open", id: client.id(), path: "INBOX", readOnly: false });
  await client.request({
    type: "list.window",
    id: client.id(),
    mailbox: "INBOX",
    offset: 0,
    limit: LIST_WINDOW_SIZE,
  });
  return client;
}

export async function sessionsFigure(ctx: Pick<FigureContext, "config" | "mail">): Promise<Row[]> {
  const { config } = ctx;
  const { server } = ctx.mail;
  const counts = [...config.sessions].sort((a, b) => a - b);
  const bridge = await startBridge(config, server, {
    profileDir: config.profileDir,
    profileName: "bridge-sessions",
  });
  const clients: ProtocolClient[] = [];
  const rows: Row[] = [];
  const bare = await connectBare(server, ctx.mail.idle[0] as Account, { disableAutoIdle: true });
  const bareIdle = await idleFloor(bare, "INBOX");
  try {
    const rss0 = await settledRss(bridge);
    rows.push(
      row({
        id: "sessions.rss.0",
        figure: FIGURE,
        label: "bridge RSS",
        side: "bridge",
        size: 0,
        unit: "MB",
        stat: "value",
        value: { value: rss0 / MB, min: rss0 / MB, max: rss0 / MB, n: 1 },
      }),
    );
    progress(`sessions: RSS with 0 sessions ${(rss0 / MB).toFixed(1)} MB`);

    const instances = inotifyInstances();
    if (instances !== null && instances < Math.max(...counts) + 16) {
      progress(
        `sessions: fs.inotify.max_user_instances is ${instances}: past about that many IDLE ` +
          "connections Dovecot polls every 30 s instead (sysctl -w fs.inotify.max_user_instances=8192)",
      );
    }
    for (const n of counts.filter((c) => c > 0)) {
      const t0 = performance.now();
      const fresh = Array.from({ length: n - clients.length }, (_, k) => clients.length + k);
      const opened = await mapLimit(fresh, SIGN_IN_CONCURRENCY, (i) => {
        const user = ctx.mail.idle[Math.floor(i / config.sessionsPerUser)];
        if (!user) throw new Error(`no idle user for session ${i}`);
        return openSession(bridge, user);
      });
      clients.push(...opened);
      const openMs = performance.now() - t0;
      const rss = await settledRss(bridge);
      const perSession = (rss - rss0) / n;
      const users = [
        ...new Set(
          clients.map((_, i) => ctx.mail.idle[Math.floor(i / config.sessionsPerUser)]?.email),
        ),
      ].filter((e): e is string => e !== undefined);
      const connections = await imapConnections(server, users);
      const held =
        connections === null
          ? ""
          : `${connections} IMAP connections for ${n} sessions of ${users.length} users`;
      progress(
        `sessions: ${n} open in ${(openMs / 1000).toFixed(1)} s; RSS ${(rss / MB).toFixed(1)} MB, ${(perSession / MB).toFixed(2)} MB each; ${held}`,
      );

      // One delivery to every user with a session → every socket's messages.new.
      const allMs: number[] = [];
      const p50Ms: number[] = [];
      const floorMs: number[] = [];
      let reached = n;
      /** CPU time per delivery (mean over the timed ones), by process group. */
      const cpuMs = new Map<string, number>();
      for (let r = 0; r <= PUSH_REPEATS; r++) {
        const subject = token(`Fan-out ${n} ${r}`);
        const arrivals = clients.map((c) =>
          c.next("messages.new", (f) => f.rows.some((x) => x.subject === subject), ARRIVAL_MS),
        );
        const floorSeen = bareIdle.nextExists();
        const cpu0 = cpuSnapshot(bridge.pid);
        await server.deliver(smallMessage({ from: ctx.mail.sender.email, to: users, subject }), {
          from: ctx.mail.sender.email,
          to: users,
        });
        const d0 = nowMs();
        const settled = await Promise.allSettled(arrivals);
        const spent = cpuSpent(cpu0, cpuSnapshot(bridge.pid));
        const floorAt = await withTimeout(floorSeen, ARRIVAL_MS, "exists").catch(() => Number.NaN);
        const times = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.at - d0] : []));
        if (times.length < n) {
          progress(`sessions: ${n - times.length} of ${n} sockets missed delivery ${r}`);
        }
        if (Number.isNaN(floorAt)) progress(`sessions: the bare IDLE client missed delivery ${r}`);
        reached = Math.min(reached, times.length);
        if (r === 0) continue; // warm-up
        for (const [group, ms] of Object.entries(spent)) {
          cpuMs.set(group, (cpuMs.get(group) ?? 0) + ms / PUSH_REPEATS);
        }
        allMs.push(times.length === n ? Math.max(...times) : Number.NaN);
        p50Ms.push(percentile(times, 50));
        floorMs.push(floorAt - d0);
      }
      progress(
        `sessions: ${n} push to all ${fmtMs(percentile(allMs, 50))} (fewest reached ${reached}/${n})`,
      );

      if (config.profileDir && n === counts[counts.length - 1]) {
        const file = await bridge.heapSnapshot();
        progress(`sessions: heap snapshot with ${n} sessions: ${file ?? "not written"}`);
      }
      const inotifyNote = dovecotInotifyWarning(server.logs.dovecot);
      const value = (x: number) => ({ value: x, min: x, max: x, n: 1 });
      rows.push(
        row({
          id: `sessions.rss.${n}`,
          figure: FIGURE,
          label: "bridge RSS",
          side: "bridge",
          size: n,
          unit: "MB",
          stat: "value",
          value: value(rss / MB),
          note:
            [
              held,
              n === counts[counts.length - 1]
                ? `${n} sessions signed in in ${(openMs / 1000).toFixed(1)} s (${SIGN_IN_CONCURRENCY} at a time)`
                : "",
            ]
              .filter((part) => part !== "")
              .join("; ") || null,
        }),
        row({
          id: `sessions.per.${n}`,
          figure: FIGURE,
          label: "RSS per session",
          side: "bridge",
          size: n,
          unit: "MB",
          stat: "value",
          value: value(perSession / MB),
          budget: BUDGETS.sessionRss,
        }),
        row({
          id: `sessions.push.${n}`,
          figure: FIGURE,
          label: "delivery → messages.new on all",
          side: "bridge",
          size: n,
          unit: "ms",
          value: summarize(allMs),
          floor: summarize(floorMs),
          budget: BUDGETS.pushAll,
          note:
            `median socket ${fmtMs(percentile(p50Ms, 50))}; every delivery reached at least ${reached} of ${n} sockets; ` +
            `CPU per delivery (2 cores): ${[...cpuMs]
              .filter(([, ms]) => ms >= 5)
              .map(([group, ms]) => `${group} ${Math.round(ms)} ms`)
              .join(", ")}` +
            (inotifyNote
              ? `; Dovecot: ${inotifyNote} (fs.inotify.max_user_instances = ${instances})`
              : ""),
          samples: allMs,
          floorSamples: floorMs,
        }),
      );
      if (reached < n) {
        rows.push(
          errorRow(
            `sessions.reach.${n}`,
            FIGURE,
            "push to all",
            `only ${reached} of ${n} sockets got the event`,
          ),
        );
        break;
      }
    }
    const held = Math.max(...counts);
    rows.push(
      row({
        id: "sessions.held",
        figure: FIGURE,
        label: "sessions held by one process",
        side: "bridge",
        size: null,
        unit: "sessions",
        stat: "value",
        value: { value: held, min: held, max: held, n: 1 },
        budget: held >= BUDGETS.sessionsHeld.limit ? BUDGETS.sessionsHeld : null,
        note: held < BUDGETS.sessionsHeld.limit ? "quick mode: the budget needs 1,000" : null,
      }),
    );
    return rows;
  } finally {
    for (const c of clients) c.close();
    await closeBare(bare);
    await bareIdle.idling;
    await bridge.stop();
  }
}
