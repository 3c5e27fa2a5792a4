/**
 * A probe of Dovecot (the project's fixture), not a test: does IDLE on a connection miss the
 * next delivery after a STATUS of the mailbox that connection has selected? A bare imapflow
 * client selects INBOX and, per round, runs 0, 1 or 2 STATUS INBOX, starts IDLE, and a
 * message is delivered over LMTP at `+ idling`, 0-50 ms after it, or during the STATUS. A
 * delivery the IDLE never announces within 3 s counts as missed (a NOOP then ends the round).
 * With a second count, the same on new users (the first delivery to an empty INBOX, after an IDLE
 * ended at once, as a MailSession's first watch does), that many rounds per case.
 * Run: cd bridge && node --import tsx scripts/idle-after-status.ts [rounds] [new-user rounds]
 */
import { startMailServer } from "@ferry/mail-server";
import { ImapFlow } from "imapflow";

const ROUNDS = Number(process.argv[2] ?? 100);
const FRESH_ROUNDS = Number(process.argv[3] ?? 0);
const ANNOUNCE_MS = 3_000;

type When = "at-idling" | "0-50ms" | "during-status";
interface Case {
  statuses: number;
  when: When;
  /** Each round on a new user's empty INBOX (its first delivery), after an IDLE ended at once. */
  fresh: boolean;
  /** NOOP in place of each STATUS (the same round trips, nothing asked of the mailbox). */
  noop?: boolean;
}

const server = await startMailServer({
  postfix: false,
  users: Array.from({ length: 9 + 3 * FRESH_ROUNDS }, (_, i) => ({
    email: `probe${i}@example.test`,
  })),
});

/** The IMAP lines of each client, to show what a round that missed its delivery heard. */
const wires = new WeakMap<ImapFlow, string[]>();

async function client(email: string, onIdling: () => void): Promise<ImapFlow> {
  const wire: string[] = [];
  const t0 = performance.now();
  const logger = {
    trace() {},
    debug(entry: { src?: string; msg?: string }) {
      if (entry?.src === "s" || entry?.src === "c")
        wire.push(`${Math.round(performance.now() - t0)} ${entry.src}: ${entry.msg}`);
      if (entry?.src === "s" && entry.msg?.startsWith("+ idling")) onIdling();
    },
    info() {},
    warn() {},
    error() {},
    fatal() {},
  };
  const c = new ImapFlow({
    host: server.host,
    port: server.imap.tlsPort,
    secure: true,
    auth: { user: email, pass: server.users.find((u) => u.email === email)?.password ?? "" },
    tls: { ca: server.ca },
    logger: logger as never,
    disableAutoIdle: true,
    qresync: true,
  });
  c.on("error", () => {});
  wires.set(c, wire);
  await c.connect();
  return c;
}

function raw(n: number): string {
  return [
    "From: Ann <ann@example.test>",
    "To: probe@example.test",
    `Subject: probe ${n}`,
    `Message-ID: <probe-${Date.now()}-${n}@example.test>`,
    "",
    "body",
    "",
  ].join("\r\n");
}

async function round(
  flow: ImapFlow,
  c: Case,
  email: string,
  i: number,
  idled: (set: () => void) => void,
): Promise<boolean> {
  const expected = (flow.mailbox ? flow.mailbox.exists : 0) + 1;
  const announced = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      flow.off("exists", onExists);
      resolve(false);
    }, ANNOUNCE_MS);
    const onExists = (e: { count: number }) => {
      if (e.count >= expected) {
        clearTimeout(timer);
        flow.off("exists", onExists);
        resolve(true);
      }
    };
    flow.on("exists", onExists);
  });
  let delivery: Promise<void> | null = null;
  const send = () => server.deliver(raw(i), { from: "ann@example.test", to: [email] });
  for (let s = 0; s < c.statuses; s++) {
    const status = c.noop ? flow.noop() : flow.status("INBOX", { messages: true });
    if (c.when === "during-status" && s === 0) delivery = send();
    await status;
  }
  if (c.when === "during-status" && !delivery) delivery = send();
  const idle = new Promise<void>((resolve) => idled(resolve));
  const idleDone = flow.idle();
  await idle;
  if (!delivery) {
    if (c.when === "0-50ms") await new Promise((r) => setTimeout(r, Math.random() * 50));
    delivery = send();
  }
  await delivery;
  const seen = await announced;
  if (!seen)
    console.log(`missed (${JSON.stringify(c)}):\n${wires.get(flow)?.slice(-14).join("\n")}`);
  await flow.noop();
  await idleDone;
  return seen;
}

let nextUser = 9;

async function run(c: Case, email: string): Promise<{ missed: number; rounds: number }> {
  let idling: () => void = () => {};
  const idled = (set: () => void) => {
    idling = set;
  };
  let missed = 0;
  if (c.fresh) {
    for (let i = 0; i < FRESH_ROUNDS; i++) {
      const user = `probe${nextUser++}@example.test`;
      const flow = await client(user, () => idling());
      await flow.mailboxOpen("INBOX");
      const ended = new Promise<void>((resolve) => idled(resolve));
      const first = flow.idle();
      await ended;
      await flow.noop();
      await first;
      if (!(await round(flow, c, user, i, idled))) missed++;
      await flow.logout();
    }
    return { missed, rounds: FRESH_ROUNDS };
  }
  const flow = await client(email, () => idling());
  await flow.mailboxOpen("INBOX");
  for (let i = 0; i < ROUNDS; i++) if (!(await round(flow, c, email, i, idled))) missed++;
  await flow.logout();
  return { missed, rounds: ROUNDS };
}

const cases: Case[] = [];
for (const statuses of [0, 1, 2])
  for (const when of ["at-idling", "0-50ms", "during-status"] as When[])
    if (!(statuses === 0 && when === "during-status")) cases.push({ statuses, when, fresh: false });
if (FRESH_ROUNDS > 0)
  for (const [statuses, when, noop] of [
    [2, "during-status", false],
    [2, "during-status", true],
    [0, "at-idling", false],
  ] as const)
    cases.push({ statuses, when, fresh: true, noop });

const results = await Promise.all(cases.map((c, i) => run(c, `probe${i}@example.test`)));
cases.forEach((c, i) => {
  const r = results[i];
  const where = c.fresh ? " (new user each round)" : "";
  const what = c.noop ? "NOOP" : "STATUS";
  console.log(`${what} x${c.statuses} ${c.when}${where}: missed ${r?.missed} of ${r?.rounds}`);
});
await server.stop();
