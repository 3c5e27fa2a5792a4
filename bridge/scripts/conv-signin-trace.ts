/**
 * A probe, not a test: where a repeat sign-in to INBOX's first window of conversations spends
 * its time, command by command. An in-process bridge (this tree's source) on the fixture, one
 * user per INBOX size (seeded as the benchmark seeds them); each sign-in is the benchmark's
 * bridge row (POST /api/session, the socket's hello, `list.window` of 50 conversations) or, with
 * MODE=app, the web app's (the POST asks for the window of conversations, then the same socket
 * request). Every IMAP command of the process is timed where imapflow sends it
 * (ImapFlow.prototype.exec and connect), per connection, from the POST; the gaps between them
 * on the path are the bridge's own time.
 * Run: cd bridge && node --import tsx scripts/conv-signin-trace.ts [sizes, e.g. 1000,10000] [rounds]
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { seedMailbox, startMailServer } from "@ferry/mail-server";
import { ImapFlow } from "imapflow";
import { WebSocket } from "ws";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { createBridge } from "../src/server";

const SIZES = (process.argv[2] ?? "1000,10000").split(",").map(Number);
const ROUNDS = Number(process.argv[3] ?? 5);
const MODE = process.env.MODE === "app" ? "app" : "bench";
const QUIET = process.env.QUIET === "1";

interface Timed {
  conn: number;
  what: string;
  start: number;
  end: number;
}
let t0 = 0;
let log: Timed[] = [];
const ids = new WeakMap<object, number>();
let nextConn = 0;
const connOf = (c: object) => {
  let id = ids.get(c);
  if (id === undefined) {
    id = ++nextConn;
    ids.set(c, id);
  }
  return id;
};
const proto = ImapFlow.prototype as unknown as {
  exec(command: string, attributes?: unknown, opts?: unknown): Promise<unknown>;
  connect(): Promise<void>;
};
const exec = proto.exec;
proto.exec = async function (this: object, command: string, attributes?: unknown, opts?: unknown) {
  const start = performance.now() - t0;
  const attrs = JSON.stringify(attributes ?? null);
  const what = `${command} ${attrs.length > 70 ? `${attrs.slice(0, 70)}…(${attrs.length})` : attrs}`;
  try {
    return await exec.call(this, command, attributes, opts);
  } finally {
    log.push({ conn: connOf(this), what, start, end: performance.now() - t0 });
  }
};
const connect = proto.connect;
proto.connect = async function (this: object) {
  const start = performance.now() - t0;
  try {
    return await connect.call(this);
  } finally {
    log.push({
      conn: connOf(this),
      what: "connect (TLS, greeting, login)",
      start,
      end: performance.now() - t0,
    });
  }
};

const users = SIZES.map((n) => ({ email: `inbox${n}@bench.test`, password: `inbox${n}-pw` }));
const mail = await startMailServer({ postfix: false, users, domain: "bench.test" });
for (const [i, n] of SIZES.entries()) {
  const r = await seedMailbox(mail, users[i]?.email as string, { inbox: n, anchor: new Date() });
  console.error(`seeded ${n} in ${(r.ms / 1000).toFixed(1)} s`);
}
const config = {
  ...loadConfig({
    FERRY_PORT: "0",
    FERRY_SESSION_SECRET: "probe-secret-probe-secret-probe-secret!",
    FERRY_LOG_LEVEL: "warn",
    FERRY_IMAP_HOST: mail.host,
    FERRY_IMAP_PORT: String(mail.imap.tlsPort),
    FERRY_IMAP_SECURITY: "tls",
    FERRY_CA_FILE: mail.caFile,
    FERRY_DATA_DIR: `/tmp/conv-signin-trace-${process.pid}`,
  }),
};
const bridge = await createBridge(config, { log: createLogger("warn") });
const origin = bridge.url;

async function once(
  user: { email: string; password: string },
  holdMs = 0,
): Promise<{
  total: number;
  post: number;
  hello: number;
  bytes: number;
}> {
  log = [];
  t0 = performance.now();
  const res = await fetch(`${bridge.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({
      email: user.email,
      password: user.password,
      ...(MODE === "app" ? { inbox: { conversations: true, rows: 12 } } : {}),
    }),
  });
  await res.text();
  const post = performance.now() - t0;
  const cookie = res.headers.get("set-cookie")?.split(";")[0] as string;
  const ws = new WebSocket(`${bridge.url.replace(/^http/, "ws")}/ws`, {
    headers: { cookie, origin },
  });
  const frames: Array<{ type: string; id?: string; raw: string }> = [];
  const waiters: Array<[(f: { type: string; id?: string }) => boolean, (raw: string) => void]> = [];
  ws.on("message", (d: Buffer) => {
    const raw = d.toString();
    const f = JSON.parse(raw) as { type: string; id?: string };
    const w = waiters.find(([p]) => p(f));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w[1](raw);
    } else frames.push({ ...f, raw });
  });
  const next = (p: (f: { type: string; id?: string }) => boolean) =>
    new Promise<string>((resolve) => {
      const i = frames.findIndex(p);
      if (i >= 0) resolve(frames.splice(i, 1)[0]?.raw as string);
      else waiters.push([p, resolve]);
    });
  await next((f) => f.type === "hello");
  const hello = performance.now() - t0;
  ws.send(
    JSON.stringify({
      type: "list.window",
      id: "w1",
      mailbox: "INBOX",
      offset: 0,
      limit: 50,
      conversations: true,
    }),
  );
  const raw = await next((f) => f.id === "w1");
  const total = performance.now() - t0;
  // a browser's session lasts: a large INBOX's whole order is threaded behind its head meanwhile
  if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
  ws.close();
  await fetch(`${bridge.url}/api/session`, { method: "DELETE", headers: { cookie, origin } });
  if (process.env.DUMP) writeFileSync(`${process.env.DUMP}-${++dumps}.json`, raw);
  return { total, post, hello, bytes: raw.length };
}

let dumps = 0;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
for (const [i, n] of SIZES.entries()) {
  const user = users[i] as { email: string; password: string };
  await once(user, Number(process.env.HOLD_MS ?? 6_000)); // the first: THREAD, the kept orders
  await once(user);
  const runs: Awaited<ReturnType<typeof once>>[] = [];
  const profile = process.env.PROFILE ? new Session() : null;
  if (profile) {
    profile.connect();
    await profile.post("Profiler.enable");
    await profile.post("Profiler.start");
  }
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    const run = await once(user);
    runs.push(run);
    if (!QUIET && r === ROUNDS - 1) {
      console.log(`--- ${n}: one repeat sign-in (${MODE}), ms from the POST`);
      console.log(
        `post answered ${run.post.toFixed(1)}, hello ${run.hello.toFixed(1)}, window ${run.total.toFixed(1)} (${run.bytes} bytes)`,
      );
      for (const c of log.sort((a, b) => a.start - b.start)) {
        if (c.start > run.total) continue;
        console.log(
          `c${c.conn} ${c.start.toFixed(1).padStart(7)} ${c.end.toFixed(1).padStart(7)} ${(c.end - c.start).toFixed(1).padStart(6)}  ${c.what}`,
        );
      }
    }
    await new Promise((r) => setTimeout(r, 300)); // a pause between rounds (not measured)
  }
  const cpu = process.cpuUsage(cpu0);
  if (profile) {
    const { profile: prof } = await profile.post("Profiler.stop");
    writeFileSync(`${process.env.PROFILE}-${n}.cpuprofile`, JSON.stringify(prof));
    profile.disconnect();
  }
  console.log(
    `${n}: process CPU per sign-in ${((cpu.user + cpu.system) / 1000 / ROUNDS).toFixed(1)} ms`,
  );
  console.log(
    `${n} (${MODE}): median window ${median(runs.map((r) => r.total)).toFixed(1)} ms, post ${median(runs.map((r) => r.post)).toFixed(1)}, hello ${median(runs.map((r) => r.hello)).toFixed(1)} [${runs.map((r) => r.total.toFixed(0)).join(" ")}]`,
  );
}
await bridge.close();
await mail.stop();
