/**
 * Property-based fuzzing of the socket (fast-check) through a real bridge and the real Dovecot:
 * random JSON, valid frames with mutated fields, wrong types, huge numbers, odd unicode, deep
 * nesting under the size cap, oversized and binary frames, truncated JSON, unknown types, and
 * requests that name another user's mailbox and UIDs. Every bad frame must get a typed `error`
 * (a code of the protocol's enum, its request id echoed when it has one), every valid one its
 * reply, the socket stays usable or closes with a documented code, the bridge logs no error, and
 * another user's session, open throughout, sees only its own mail and still works afterwards.
 *
 * The seed: FERRY_FUZZ_SEED when set, a fixed one under CI, else random. fast-check prints the
 * seed (and the path of the failing case) on failure: rerun with FERRY_FUZZ_SEED=<seed>.
 */
import { startMailServer } from "@ferry/mail-server";
import {
  CloseCode,
  ErrorCode,
  MAX_CLIENT_FRAME_BYTES,
  parseClientFrame,
  type TServerFrame,
} from "@ferry/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARD_MAX_FRAME_BYTES } from "../src/ws/socket-server";
import {
  type MailServer,
  openSocket,
  plainMessage,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

const RUNS = 400;
const SEED = process.env.FERRY_FUZZ_SEED
  ? Number(process.env.FERRY_FUZZ_SEED)
  : process.env.CI
    ? 20_261_206
    : undefined;
/** Frames per socket before a fresh one is opened: both stay well under the burst allowance. */
const FRAMES_PER_SOCKET = 40;
/** Close codes the socket server documents for a client's misbehaviour. */
const DOCUMENTED_CLOSE = new Set<number>([CloseCode.policyViolation, CloseCode.messageTooBig]);

let mail: MailServer;
let b: TestBridge;
let alice: { email: string; password: string };
let bob: { email: string; password: string };
let aliceCookie: string;
let bobSocket: TestSocket;
const ALICE_MARK = `alice-only-${process.pid}`;
const BOB_MARK = `bob-only-${process.pid}`;
/** Bob's INBOX as he sees it: the target of the "another user's mailbox" requests. */
let bobInbox: { uidValidity: number; uids: number[] };

type Window = Extract<TServerFrame, { type: "list.window" }>;

async function inbox(s: TestSocket, id: string): Promise<Window> {
  const reply = await s.request({
    type: "list.window",
    id,
    mailbox: "INBOX",
    offset: 0,
    limit: 50,
  });
  if (reply.type !== "list.window") throw new Error(`list.window failed: ${JSON.stringify(reply)}`);
  return reply;
}

beforeAll(async () => {
  mail = await startMailServer({ postfix: false });
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
  for (let i = 0; i < 12; i++) {
    await mail.deliver(plainMessage(alice.email, `${ALICE_MARK} ${i}`), {
      from: "carol@example.test",
      to: [alice.email],
    });
  }
  for (let i = 0; i < 3; i++) {
    await mail.deliver(plainMessage(bob.email, `${BOB_MARK} ${i}`), {
      from: "carol@example.test",
      to: [bob.email],
    });
  }
  b = await startBridge(mail);
  aliceCookie = await signedIn(b, alice.email, alice.password);
  bobSocket = await openSocket(b, await signedIn(b, bob.email, bob.password));
  const w = await inbox(bobSocket, "bob-before");
  bobInbox = { uidValidity: w.uidValidity, uids: w.rows.map((r) => r.uid) };
  const aliceSocket = await openSocket(b, aliceCookie);
  const a = await inbox(aliceSocket, "alice-before");
  aliceInbox = { uidValidity: a.uidValidity, uids: a.rows.map((r) => r.uid) };
  aliceSocket.close();
  expect(bobInbox.uids).toHaveLength(3);
});

afterAll(async () => {
  await b?.close();
  await mail?.stop();
});

// ---------------------------------------------------------------------------------------------
// What is thrown at the socket
// ---------------------------------------------------------------------------------------------

type Thrown = { kind: "text"; text: string } | { kind: "binary"; bytes: Uint8Array };

const text = (t: string): Thrown => ({ kind: "text", text: t });
const frameText = (frame: object): Thrown => text(JSON.stringify(frame));

/** Alice's INBOX: most requests name her real UIDVALIDITY and UIDs, so they reach IMAP. */
let aliceInbox: { uidValidity: number; uids: number[] } = { uidValidity: 0, uids: [1] };

const mailboxName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("INBOX", "INBOX", "Sent", "Drafts", "Trash", "Archive") },
  fc.constantFrom(
    "Nope",
    "",
    "../bob@example.test/INBOX",
    "~bob/INBOX",
    "#shared/bob/INBOX",
    "Other Users/bob@example.test/INBOX",
    "user.bob.INBOX",
    "INBOX\r\nA1 LOGOUT",
    "*",
    "%",
  ),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);
const uid = fc.oneof(
  { weight: 6, arbitrary: fc.nat(20).map((i) => aliceInbox.uids[i % aliceInbox.uids.length] ?? 1) },
  fc.constantFrom(...[1, 2, 3, 0, -1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, 1e308, 0.5]),
  fc.integer(),
);
const uidValidity = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0).map(() => aliceInbox.uidValidity) },
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -5),
  fc.nat(),
);

const searchQuery = fc.oneof(
  fc.constantFrom(
    "from:carol",
    "subject:alice",
    'from:"carol example"',
    "is:unread",
    "is:flagged -is:read",
    "before:2020-01-01 after:1999-12-31",
    "has:attachment",
    "larger:1M smaller:2",
    "in:Trash",
    "OR",
    "(from:a OR to:b",
    '"unterminated',
    "-",
    "older_than:7d",
  ),
  fc.string({ maxLength: 60 }),
  fc
    .array(fc.constantFrom("from:", "to:", "subject:", "OR", "-", "(", ")", '"', "x", " "), {
      maxLength: 12,
    })
    .map((parts) => parts.join("")),
);

/** The mailbox of a message reference: INBOX mostly, where the UIDVALIDITY and UIDs are real. */
const refMailbox = fc.oneof({ weight: 5, arbitrary: fc.constant("INBOX") }, mailboxName);

/** Well-formed requests of every kind, with plausible and implausible values. */
const validFrame = fc.oneof(
  fc.record({ type: fc.constant("ping") }),
  fc.record({ type: fc.constant("mailboxes.list") }),
  fc.record({ type: fc.constant("mailbox.open"), path: mailboxName, readOnly: fc.boolean() }),
  fc.record({
    type: fc.constant("list.window"),
    mailbox: mailboxName,
    offset: fc.oneof({ weight: 4, arbitrary: fc.nat(20) }, fc.nat(), fc.constant(2 ** 31)),
    limit: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }) }, fc.constant(500)),
    query: fc.option(searchQuery, { nil: null }),
  }),
  fc.record({
    type: fc.constant("message.open"),
    ref: fc.record({ mailbox: refMailbox, uidValidity, uid }),
  }),
  fc.record({
    type: fc.constantFrom("messages.archive", "messages.delete"),
    set: fc.record({ mailbox: refMailbox, uidValidity, uids: fc.array(uid, { maxLength: 5 }) }),
  }),
  fc.record({
    type: fc.constant("flags.update"),
    set: fc.record({ mailbox: refMailbox, uidValidity, uids: fc.array(uid, { maxLength: 5 }) }),
    add: fc.array(fc.constantFrom("\\Seen", "\\Flagged", "\\Deleted", "$x", "a b", ")"), {
      maxLength: 3,
    }),
  }),
  fc.record({
    type: fc.constantFrom("messages.move", "messages.copy"),
    set: fc.record({ mailbox: refMailbox, uidValidity, uids: fc.array(uid, { maxLength: 5 }) }),
    to: mailboxName,
  }),
  fc.record({ type: fc.constant("mailbox.markAllRead"), mailbox: mailboxName }),
  fc.record({
    type: fc.constant("contacts.suggest"),
    prefix: fc.string({ maxLength: 20 }),
    limit: fc.integer({ min: 1, max: 50 }),
  }),
  fc.record({ type: fc.constant("identities.list") }),
  fc.record({
    type: fc.constant("compose.context"),
    ref: fc.record({ mailbox: refMailbox, uidValidity, uid }),
    mode: fc.constantFrom("reply", "replyAll", "forward", "forwardAttachment", "draft"),
  }),
  fc.record({
    type: fc.constant("compose.cancel"),
    sendId: fc.string({ minLength: 1, maxLength: 64 }),
  }),
);

/** Requests aimed at Bob's mail from Alice's socket, with his real UIDVALIDITY and UIDs. */
const bobsMail = fc.oneof(
  fc.record({
    type: fc.constant("message.open"),
    ref: fc.record({
      mailbox: fc.constantFrom("INBOX", "../bob@example.test/INBOX", "~bob/INBOX"),
      uidValidity: fc.constant(0).map(() => bobInbox.uidValidity),
      uid: fc.constantFrom(0, 1, 2).map((i) => bobInbox.uids[i] ?? 1),
    }),
  }),
  fc.record({
    type: fc.constant("compose.context"),
    ref: fc.record({
      mailbox: fc.constant("INBOX"),
      uidValidity: fc.constant(0).map(() => bobInbox.uidValidity),
      uid: fc.constantFrom(0, 1, 2).map((i) => bobInbox.uids[i] ?? 1),
    }),
    mode: fc.constantFrom("reply", "forward"),
  }),
);

const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** A field of a frame replaced by something of the wrong type or an extreme value. */
const odd = fc.oneof(
  jsonValue,
  fc.constantFrom(
    null,
    true,
    -1,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    "",
    "\u0000",
    "\u202e\ud800",
    "x".repeat(70),
    [],
    {},
  ),
  fc.string({ unit: "binary", maxLength: 30 }),
);

/** Sets `path` (within nested objects) of a copy of `frame` to `value`, or deletes it. */
function mutate(frame: Record<string, unknown>, path: string[], value: unknown, drop: boolean) {
  const copy = structuredClone(frame);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) return copy;
    at = next as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last === undefined) return copy;
  if (drop) delete at[last];
  else at[last] = value;
  return copy;
}

function paths(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return [];
  return Object.entries(v).flatMap(([k, child]) => [
    [...prefix, k],
    ...paths(child, [...prefix, k]),
  ]);
}

let counter = 0;
const withId = (frame: Record<string, unknown>) => ({ ...frame, id: `f${++counter}` });

const mutatedFrame = fc
  .tuple(validFrame, fc.nat(), odd, fc.boolean())
  .map(([frame, which, value, drop]) => {
    const f = withId(frame);
    const all = paths(f);
    const path = all[which % all.length] ?? ["type"];
    return mutate(f, path, value, drop);
  });

const deepNesting = fc
  .tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom("[", '{"a":'), fc.boolean())
  .map(([depth, open, inFrame]) => {
    const close = open === "[" ? "]" : "}";
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return text(inFrame ? `{"type":"list.window","id":"deep${depth}","query":${nested}}` : nested);
  });

const thrown: fc.Arbitrary<Thrown> = fc.oneof(
  { weight: 10, arbitrary: validFrame.map((f) => text(JSON.stringify(withId(f)))) },
  { weight: 6, arbitrary: mutatedFrame.map((f) => text(JSON.stringify(f))) },
  { weight: 2, arbitrary: bobsMail.map((f) => text(JSON.stringify(withId(f)))) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map(text) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }).map(text) },
  {
    weight: 2,
    arbitrary: fc.tuple(validFrame, fc.double({ min: 0, max: 1, noNaN: true })).map(([f, cut]) => {
      const whole = JSON.stringify(withId(f));
      return text(whole.slice(0, Math.floor(whole.length * cut)));
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 30 }), fc.option(odd))
      .map(([type, extra]) => text(JSON.stringify({ type, id: `u${++counter}`, extra }))),
  },
  { weight: 1, arbitrary: deepNesting },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"__proto__":{"type":"ping","id":"proto1"}}',
        '{"type":"ping","id":"proto2","__proto__":{"id":"other"}}',
        '{"type":"list.window","id":"proto3","constructor":{"prototype":{"limit":1}}}',
        '{"type":"ping","id":"dup","id":"dup2"}',
        "null",
        "[]",
        '"ping"',
        "1e999",
        "",
        " ",
        "\ufeff{}",
      )
      .map(text),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 300 })
      .map((bytes): Thrown => ({ kind: "binary", bytes })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_CLIENT_FRAME_BYTES + 1, max: MAX_CLIENT_FRAME_BYTES + 4096 })
      .map((size) => {
        const head = `{"type":"ping","id":"big${++counter}","pad":"`;
        return text(`${head}${"x".repeat(size - head.length - 2)}"}`);
      }),
  },
);

// ---------------------------------------------------------------------------------------------
// What must come back
// ---------------------------------------------------------------------------------------------

/** Replies after which a request is done (message.open streams header and bodies first). */
const isFinal = (f: TServerFrame) => f.type !== "message.header" && f.type !== "message.body";

class AliceSockets {
  #socket: TestSocket | null = null;
  #sent = 0;
  readonly all: TestSocket[] = [];

  async get(): Promise<TestSocket> {
    if (!this.#socket || this.#sent >= FRAMES_PER_SOCKET) {
      this.#socket?.close();
      this.#socket = await openSocket(b, aliceCookie);
      this.all.push(this.#socket);
      this.#sent = 0;
    }
    this.#sent += 1;
    return this.#socket;
  }

  /** The socket closed: it must have been with a documented code; the next frame gets a new one. */
  async closedWith(s: TestSocket): Promise<number> {
    const { code } = await s.closed;
    if (this.#socket === s) this.#socket = null;
    return code;
  }
}

function expectTypedError(f: TServerFrame | undefined, id: string | undefined, what: string) {
  expect(f, what).toBeDefined();
  if (f?.type !== "error") throw new Error(`${what}: expected an error frame, got ${f?.type}`);
  expect(ErrorCode.options).toContain(f.code);
  expect(f.code, what).not.toBe("internal");
  if (id !== undefined) expect(f.id, what).toBe(id);
  else expect(f.id, what).toBeUndefined();
}

/** Sends one thrown frame and checks the answer; resolves once the request is done. */
async function throwOne(sockets: AliceSockets, t: Thrown): Promise<void> {
  const s = await sockets.get();
  const from = s.frames.length;
  const fence = `fence${++counter}`;
  const pong = (f: TServerFrame) => f.type === "pong" && f.id === fence;

  if (t.kind === "binary") s.send(Buffer.from(t.bytes), true);
  else s.send(t.text);
  const size = t.kind === "binary" ? t.bytes.length : Buffer.byteLength(t.text);
  if (size > HARD_MAX_FRAME_BYTES) throw new Error("the fuzzer stays under the hard cap");

  const parsed =
    t.kind === "text" && size <= MAX_CLIENT_FRAME_BYTES ? parseClientFrame(t.text) : null;
  if (parsed?.ok) {
    // A valid request: its reply (or a typed error) carries its id.
    const id = parsed.frame.id;
    const done = s.waitFor(
      (f) => "id" in f && f.id === id && isFinal(f) && s.frames.indexOf(f) >= from,
      `reply to ${id}`,
      10_000,
    );
    const outcome = await Promise.race([done, s.closed.then(() => null)]);
    if (outcome === null) {
      expect(DOCUMENTED_CLOSE).toContain(await sockets.closedWith(s));
      return;
    }
    if (outcome.type === "error")
      expectTypedError(outcome, id, `reply to ${t.kind === "text" ? t.text.slice(0, 200) : ""}`);
    return;
  }

  // A bad frame is answered at once, before the fence's pong.
  s.send(JSON.stringify({ type: "ping", id: fence }));
  const answered = await Promise.race([
    s.waitFor(pong, "fence pong", 10_000).then(() => true),
    s.closed.then(() => false),
  ]);
  if (!answered) {
    expect(DOCUMENTED_CLOSE).toContain(await sockets.closedWith(s));
    return;
  }
  const between = s.frames.slice(from).filter((f) => f.type === "error");
  const what = t.kind === "text" ? `answer to ${JSON.stringify(t.text.slice(0, 200))}` : "binary";
  expect(between, what).toHaveLength(1);
  const answer = between[0];
  if (t.kind === "binary") return expectTypedError(answer, undefined, what);
  if (size > MAX_CLIENT_FRAME_BYTES) {
    expect(answer?.type === "error" && answer.code).toBe("frame_too_large");
    return;
  }
  expectTypedError(answer, parsed && !parsed.ok ? parsed.id : undefined, what);
  expect(answer?.type === "error" && answer.code).toBe("bad_request");
}

describe("fuzzing the socket", () => {
  it(`answers ${RUNS} random and mutated frames with replies or typed errors, and leaks nothing`, async () => {
    const sockets = new AliceSockets();
    await fc.assert(
      fc.asyncProperty(thrown, (t) => throwOne(sockets, t)),
      {
        numRuns: RUNS,
        ...(SEED === undefined ? {} : { seed: SEED }),
        endOnFailure: true,
        // Found by this fuzzer: a line break in a folder name or a quoted search term made
        // imapflow refuse the command, and the bridge answered `internal`.
        examples: [
          [frameText({ type: "mailbox.markAllRead", id: "crlf1", mailbox: "INBOX\r\nA1 LOGOUT" })],
          [
            frameText({
              type: "list.window",
              id: "crlf2",
              mailbox: "INBOX",
              offset: 0,
              limit: 5,
              query: 'from:"a\r\nb"',
            }),
          ],
        ],
      },
    );

    // Every frame Alice received was a valid server frame, with none of Bob's mail in it.
    for (const s of sockets.all) {
      expect(s.invalid).toEqual([]);
      expect(JSON.stringify(s.frames)).not.toContain(BOB_MARK);
    }
    expect(sockets.all.length).toBeGreaterThan(RUNS / FRAMES_PER_SOCKET - 1);

    // Bob's socket, open throughout, heard nothing of Alice's and still works.
    expect(bobSocket.invalid).toEqual([]);
    expect(JSON.stringify(bobSocket.frames)).not.toContain(ALICE_MARK);
    const after = await inbox(bobSocket, "bob-after");
    expect(after.rows.map((r) => r.uid)).toEqual(bobInbox.uids);
    expect(after.uidValidity).toBe(bobInbox.uidValidity);
    const pong = await bobSocket.request({ type: "ping", id: "bob-ping" });
    expect(pong).toEqual({ type: "pong", id: "bob-ping" });

    // The bridge is up, and Alice can still use a fresh socket.
    expect((await fetch(`${b.url}/api/config`)).status).toBe(200);
    const fresh = await openSocket(b, aliceCookie);
    const boxes = await fresh.request({ type: "mailboxes.list", id: "alice-after" });
    expect(boxes.type).toBe("mailboxes");
    fresh.close();

    // Nothing went wrong inside the bridge (an internal error is logged at level 50).
    const errors = b.logs.text.split("\n").filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  }, 120_000);
});
