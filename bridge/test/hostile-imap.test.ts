/**
 * A hostile IMAP server named by a user at sign-in (hostile-imap-server.ts): huge literals,
 * endless lines, malformed BODYSTRUCTURE, 10,000 folders and a stall mid-response. For each,
 * the bridge cuts the connection early (few bytes read, little memory), the user gets a typed
 * error, and another user signed in at the same time against the real Dovecot keeps working.
 */
import { startMailServer } from "@ferry/mail-server";
import type { TServerFrame } from "@ferry/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_MAILBOXES } from "../src/imap/mailboxes";
import {
  type MailServer,
  openSocket,
  signIn,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";
import {
  type Attack,
  fetchAnswer,
  type HostileServer,
  startHostileImap,
} from "./hostile-imap-server";

const ALICE = { email: "alice@example.test", password: "alice-Pa55word-7f3" };
const BOB = { email: "bob@example.test", password: "bob-Pa55word-91c" };
const EVE = { email: "eve@example.test", password: "anything" };

/** What a hostile server may push at most before the test calls it a failure (the bridge read on). */
const ATTACK_CAP = 96 * 1024 * 1024;
/** The most a bridge may have been sent before it cut an attack off (its limit, plus buffers). */
const CUT_WITHIN = 16 * 1024 * 1024;
const MiB = 1024 * 1024;

let mail: MailServer;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  mail = await startMailServer({ users: [ALICE, BOB], postfix: false });
}, 60_000);

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

afterAll(async () => {
  await mail?.stop();
});

/** Streams `payload`-sized chunks after `head` until the client is gone or ATTACK_CAP is sent. */
function flood(head: string, chunk: Buffer): Attack {
  return async ({ write, sent }) => {
    await write(head);
    let total = 0;
    while (total < ATTACK_CAP) {
      if (!(await write(chunk))) return;
      total += chunk.length;
      sent(chunk.length);
    }
  };
}

/** `attack` for the folder listing (LIST of "*"), the normal answer for other LISTs. */
function onFolderList(attack: Attack): Attack {
  return (ctx, args) => (args.includes("*") ? attack(ctx, args) : ctx.normal());
}

interface Setup {
  b: TestBridge;
  hostile: HostileServer;
  /** Eve's socket, signed in to the hostile server. */
  eve: TestSocket;
  /** Bob's socket, signed in to the fixture's Dovecot on the same bridge. */
  bob: TestSocket;
}

/** A bridge where users name their server, Bob on Dovecot and Eve on the hostile server. */
async function setup(attacks: Record<string, Attack>): Promise<Setup> {
  const hostile = await startHostileImap(mail.dir, attacks);
  cleanups.push(() => hostile.close());
  const b = await startBridge(mail, {
    env: { FERRY_IMAP_HOST: "", FERRY_IMAP_PORT: "", FERRY_IMAP_SECURITY: "" },
    config: {
      allowPrivateHosts: true,
      imapPorts: [mail.imap.tlsPort, hostile.port],
      imapCommandTimeoutMs: 1000,
    },
  });
  cleanups.push(() => b.close());
  const dovecot = { host: "127.0.0.1", port: mail.imap.tlsPort, security: "tls" };
  const bobIn = await signIn(b, { ...BOB, imap: dovecot });
  expect(bobIn.status).toBe(200);
  const bob = await openSocket(b, bobIn.cookie as string);
  cleanups.push(async () => bob.close());
  const eveIn = await signIn(b, {
    ...EVE,
    imap: { host: "127.0.0.1", port: hostile.port, security: "tls" },
  });
  expect(eveIn.status, JSON.stringify(eveIn.body)).toBe(200);
  const eve = await openSocket(b, eveIn.cookie as string);
  cleanups.push(async () => eve.close());
  return { b, hostile, eve, bob };
}

/** Bob can still list his folders and open his INBOX. */
async function bobStillWorks(bob: TestSocket, id: string): Promise<void> {
  const list = await bob.request({ type: "mailboxes.list", id: `${id}-l` });
  // The whole frame, so that a failure shows Bob's error code and message.
  expect(list).toMatchObject({ type: "mailboxes" });
  const opened = await bob.request({ type: "mailbox.open", id: `${id}-o`, path: "INBOX" });
  expect(opened).toMatchObject({ type: "mailbox.opened" });
}

function errorCode(frame: TServerFrame): string {
  return frame.type === "error" ? frame.code : `not an error: ${frame.type}`;
}

/** RSS now, after a collection when the test runs with --expose-gc. */
function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

describe("a hostile IMAP server", () => {
  it("announcing a huge literal in LIST is cut off after a few MB; Eve gets connection_lost", async () => {
    const literal = flood('* LIST () "/" {900000000}\r\n', Buffer.alloc(256 * 1024, 0x61));
    const { hostile, eve, bob } = await setup({ LIST: onFolderList(literal) });
    const before = rss();
    const reply = await eve.request({ type: "mailboxes.list", id: "l1" }, 20_000);
    expect(errorCode(reply)).toBe("connection_lost");
    await withTimeout(hostile.cut, 5000, "the bridge to cut the connection");
    expect(hostile.attackBytes).toBeLessThan(CUT_WITHIN);
    expect(rss() - before).toBeLessThan(64 * MiB);
    await bobStillWorks(bob, "b1");
  });

  it("sending an endless line without CRLF is cut off after a few MB", async () => {
    const endless = flood('* LIST () "/" "', Buffer.alloc(256 * 1024, 0x62));
    const { hostile, eve, bob } = await setup({ LIST: onFolderList(endless) });
    const before = rss();
    const reply = await eve.request({ type: "mailboxes.list", id: "l2" }, 20_000);
    expect(errorCode(reply)).toBe("connection_lost");
    await withTimeout(hostile.cut, 5000, "the bridge to cut the connection");
    expect(hostile.attackBytes).toBeLessThan(CUT_WITHIN);
    expect(rss() - before).toBeLessThan(64 * MiB);
    await bobStillWorks(bob, "b2");
  });

  it("answering one LIST with endless small entries is cut off by the per-command budget", async () => {
    const many: Attack = async ({ write, sent }) => {
      let total = 0;
      let n = 0;
      while (total < ATTACK_CAP) {
        let batch = "";
        for (let i = 0; i < 2000; i++) batch += `* LIST () "/" "f${n++}"\r\n`;
        if (!(await write(batch))) return;
        total += batch.length;
        sent(batch.length);
      }
    };
    const { hostile, eve, bob } = await setup({ LIST: onFolderList(many) });
    const reply = await eve.request({ type: "mailboxes.list", id: "l3" }, 30_000);
    expect(errorCode(reply)).toBe("connection_lost");
    await withTimeout(hostile.cut, 5000, "the bridge to cut the connection");
    expect(hostile.attackBytes).toBeLessThan(ATTACK_CAP);
    await bobStillWorks(bob, "b3");
  });

  it("listing 10,000 folders gives Eve the first MAX_MAILBOXES, INBOX first", async () => {
    const folders: Attack = async ({ tag, write }) => {
      let out =
        '* LIST (\\HasNoChildren) "/" "INBOX"\r\n* STATUS "INBOX" (MESSAGES 1 UNSEEN 0)\r\n';
      for (let i = 0; i < 10_000; i++) {
        const name = `Folder ${String(i).padStart(5, "0")}`;
        out += `* LIST (\\HasNoChildren) "/" "${name}"\r\n* STATUS "${name}" (MESSAGES 0 UNSEEN 0)\r\n`;
      }
      await write(`${out}${tag} OK done\r\n`);
    };
    const { eve, bob } = await setup({ LIST: onFolderList(folders) });
    const reply = await eve.request({ type: "mailboxes.list", id: "l4" }, 20_000);
    if (reply.type !== "mailboxes") throw new Error(`expected mailboxes, got ${reply.type}`);
    expect(reply.mailboxes).toHaveLength(MAX_MAILBOXES);
    expect(reply.mailboxes[0]?.path).toBe("INBOX");
    await bobStillWorks(bob, "b4");
  });

  it("stalling mid-response gives Eve connection_lost within the command timeout", async () => {
    const stall: Attack = async ({ write }) => {
      await write('* LIST () "/" "a"\r\n* LIST () "/" "b');
    };
    const { eve, bob } = await setup({ LIST: onFolderList(stall) });
    const reply = await eve.request({ type: "mailboxes.list", id: "l5" }, 10_000);
    expect(errorCode(reply)).toBe("connection_lost");
    // Bob's requests meanwhile and after are answered
    await bobStillWorks(bob, "b5");
  });

  it("a BODYSTRUCTURE of 50,000 parts (too many tokens to parse) gives Eve connection_lost", async () => {
    const part = '("text" "plain" NIL NIL NIL "7bit" 1 1)';
    const wide = `(${part.repeat(50_000)} "mixed")`;
    const structure: Attack = async ({ tag, write }) => {
      await write(`${fetchAnswer(wide)}${tag} OK done\r\n`);
    };
    const { eve, bob } = await setup({ "UID FETCH": structure });
    // The sign-in's first window already fetches structures (on the INBOX watcher), so the
    // attack lands on opening INBOX or, failing that, on opening the message.
    const opened = await eve.request({ type: "mailbox.open", id: "o6", path: "INBOX" });
    const reply =
      opened.type === "error"
        ? opened
        : await eve.request(
            { type: "message.open", id: "m6", ref: { mailbox: "INBOX", uidValidity: 7, uid: 1 } },
            20_000,
          );
    expect(errorCode(reply)).toBe("connection_lost");
    await bobStillWorks(bob, "b6");
  });
});
