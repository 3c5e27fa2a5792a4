/**
 * Sessions of one account share their watch connections (bridge/src/live/account-watch.ts),
 * through the real bridge and Dovecot. Connections are counted by Dovecot itself
 * (`doveadm who`): each session keeps its own command connection, and the account has one
 * INBOX watcher and one NOTIFY connection however many sessions it has.
 *
 * - N sessions of one account: one delivery reaches every socket exactly once;
 * - signing sessions out one by one keeps the others live, and the last one out closes the
 *   shared connections;
 * - every connection killed by the server comes back once for all sessions, and mail delivered
 *   meanwhile reaches every socket;
 * - the same address on two servers is two accounts: neither sees the other's mail.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapTargetOf,
  type MailServer,
  openSocket,
  plainMessage,
  signIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const OTHER_PASSWORD = "another-server-another-alice";
/** Sessions of one account in the tests below. */
const N = 4;
/** Per account, besides each session's command connection: INBOX's watcher and NOTIFY's. */
const SHARED = 2;

let home: MailServer;
let other: MailServer;
let b: TestBridge;
const sockets: TestSocket[] = [];
let seq = 0;
const nextId = () => `sw${++seq}`;

beforeAll(async () => {
  [home, other] = await Promise.all([
    startMailServer({ postfix: false }),
    startMailServer({ users: [{ email: ALICE, password: OTHER_PASSWORD }], postfix: false }),
  ]);
  const caFile = join(tmpdir(), `ferry-shared-watch-cas-${process.pid}.pem`);
  writeFileSync(caFile, `${home.ca}\n${other.ca}\n`);
  b = await startBridge(null, {
    env: {
      FERRY_CA_FILE: caFile,
      FERRY_IMAP_PORTS: `${home.imap.tlsPort},${other.imap.tlsPort}`,
    },
    config: { allowPrivateHosts: true },
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await b?.close();
  await Promise.all([home?.stop(), other?.stop()]);
});

interface Tab {
  cookie: string;
  socket: TestSocket;
}

/** Signs in to `server` as `email` and opens a socket with INBOX open, as a tab does. */
async function tab(server: MailServer, email: string, password: string): Promise<Tab> {
  const r = await signIn(b, { email, password, imap: imapTargetOf(server) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const cookie = r.cookie as string;
  const socket = await openSocket(b, cookie);
  sockets.push(socket);
  await socket.waitFor((f) => f.type === "state" && f.imap === "online", "online", 10_000);
  const opened = await socket.request({
    type: "mailbox.open",
    id: nextId(),
    path: "INBOX",
    readOnly: false,
  });
  expect(opened.type).toBe("mailbox.opened");
  return { cookie, socket };
}

async function tabs(server: MailServer, email: string, password: string, n: number) {
  const out: Tab[] = [];
  // One at a time: the sign-in limiter counts attempts still being checked.
  for (let i = 0; i < n; i++) out.push(await tab(server, email, password));
  return out;
}

/** IMAP connections Dovecot holds for `email` now. */
async function imapConnections(server: MailServer, email: string): Promise<number> {
  const { stdout } = await server.doveadm(["who", "-1", email]);
  return stdout.split("\n").filter((line) => line.split(/\s+/)[0] === email).length;
}

const isNew = (subject: string) => (f: TServerFrame) =>
  f.type === "messages.new" && f.rows.some((row) => row.subject === subject);

/** How many `messages.new` frames of `socket` carry `subject`. */
const copies = (socket: TestSocket, subject: string) => socket.frames.filter(isNew(subject)).length;

/** Delivers a message to `email` on `server` and waits for it on every one of `on`. */
async function deliverAndSee(server: MailServer, email: string, subject: string, on: Tab[]) {
  const arrivals = on.map((t) => t.socket.waitFor(isNew(subject), `${subject} pushed`, 15_000));
  await server.deliver(plainMessage(email, subject), { from: BOB, to: [email] });
  await Promise.all(arrivals);
}

async function signOut(t: Tab): Promise<void> {
  const res = await fetch(`${b.url}/api/session`, {
    method: "DELETE",
    headers: { cookie: t.cookie, origin: b.origin },
  });
  expect(res.status).toBe(204);
  await t.socket.closed;
}

describe("sessions of one account share their watch connections", () => {
  let alice: Tab[] = [];

  it("pushes one delivery to every session exactly once, over one shared watch connection", async () => {
    const { password } = home.user(ALICE);
    alice = await tabs(home, ALICE, password, N);
    // Each session its command connection; the account one INBOX watcher and one NOTIFY.
    await expect.poll(() => imapConnections(home, ALICE), { timeout: 10_000 }).toBe(N + SHARED);

    await deliverAndSee(home, ALICE, "Shared one", alice);
    // A later delivery seen everywhere: nothing of the first can still be on its way.
    await deliverAndSee(home, ALICE, "Shared two", alice);
    for (const t of alice) {
      expect(copies(t.socket, "Shared one")).toBe(1);
      expect(copies(t.socket, "Shared two")).toBe(1);
      expect(t.socket.invalid).toEqual([]);
    }
    expect(await imapConnections(home, ALICE)).toBe(N + SHARED);
  });

  it("brings every connection the server killed back once for all, with what came meanwhile", async () => {
    const marks = alice.map((t) => t.socket.frames.length);
    await home.killConnections(ALICE);
    // Delivered while the connections are down or coming back: the resync brings it.
    await deliverAndSee(home, ALICE, "While away", alice);
    for (const [i, t] of alice.entries()) {
      const since = t.socket.frames.slice(marks[i]);
      expect(since.some((f) => f.type === "state" && f.imap === "reconnecting")).toBe(true);
      await t.socket.waitFor((f) => f.type === "state" && f.imap === "online", "online", 15_000);
    }
    await deliverAndSee(home, ALICE, "After recovery", alice);
    for (const t of alice) {
      expect(copies(t.socket, "While away")).toBe(1);
      expect(copies(t.socket, "After recovery")).toBe(1);
    }
    // Rebuilt once for the account, not once per session.
    await expect.poll(() => imapConnections(home, ALICE), { timeout: 10_000 }).toBe(N + SHARED);
  });

  it("keeps the other sessions live as sessions sign out one by one; the last closes all", async () => {
    let left = [...alice];
    while (left.length > 1) {
      const [gone, ...rest] = left;
      if (!gone) break;
      await signOut(gone);
      left = rest;
      await expect
        .poll(() => imapConnections(home, ALICE), { timeout: 10_000 })
        .toBe(left.length + SHARED);
      await deliverAndSee(home, ALICE, `Still live ${left.length}`, left);
    }
    const [last] = left;
    if (last) await signOut(last);
    await expect.poll(() => imapConnections(home, ALICE), { timeout: 10_000 }).toBe(0);
  });
});

describe("the same address on two servers", () => {
  it("is two accounts: each one's sessions get its own mail and none of the other's", async () => {
    const mine = await tabs(home, ALICE, home.user(ALICE).password, 2);
    const theirs = await tabs(other, ALICE, OTHER_PASSWORD, 2);
    await expect.poll(() => imapConnections(home, ALICE), { timeout: 10_000 }).toBe(2 + SHARED);
    await expect.poll(() => imapConnections(other, ALICE), { timeout: 10_000 }).toBe(2 + SHARED);

    await deliverAndSee(home, ALICE, "For the home alice", mine);
    // Seen by the other server's sessions only after the home one's: nothing else is in flight.
    await deliverAndSee(other, ALICE, "For the other alice", theirs);
    await deliverAndSee(home, ALICE, "Home again", mine);
    for (const t of theirs) {
      expect(copies(t.socket, "For the home alice")).toBe(0);
      expect(copies(t.socket, "Home again")).toBe(0);
      expect(copies(t.socket, "For the other alice")).toBe(1);
    }
    for (const t of mine) {
      expect(copies(t.socket, "For the other alice")).toBe(0);
      expect(copies(t.socket, "For the home alice")).toBe(1);
    }
    // Signing the other server's alice out leaves the home one's watch as it was.
    for (const t of theirs) await signOut(t);
    await expect.poll(() => imapConnections(other, ALICE), { timeout: 10_000 }).toBe(0);
    await deliverAndSee(home, ALICE, "Home still live", mine);
    for (const t of mine) await signOut(t);
  });
});
