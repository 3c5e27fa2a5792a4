/**
 * Writing mail against the real fixture: a bridge pinned to Dovecot (IMAP) and Postfix
 * (submission, STARTTLS + AUTH). Alice and Bob (and Carol for Bcc) send, reply, forward, save
 * drafts, undo, and fail in the ways users meet: a refused recipient, SMTP down, a header with
 * a line break, an upload over the limit. Arrival is checked over IMAP as the recipient.
 */
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { createServer } from "node:net";
import { startMailServer } from "@ferry/mail-server";
import {
  inlineContentId,
  type TComposeDraftInput,
  type TServerFrame,
  type TServerFrameOf,
  type TUploadInfo,
  uploadUrl,
} from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionKey } from "../src/session/crypto";
import {
  imapClient,
  type MailServer,
  openSocket,
  signedIn,
  smtpEnv,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";

let mail: MailServer;
let b: TestBridge;
const bridges: TestBridge[] = [];
const clients: ImapFlow[] = [];
let alice: { email: string; password: string };
let bob: { email: string; password: string };
let carol: { email: string; password: string };
let aliceCookie: string;
let bobCookie: string;
let as: TestSocket;
let bs: TestSocket;

beforeAll(async () => {
  mail = await startMailServer();
  alice = mail.user("alice@example.test");
  bob = mail.user("bob@example.test");
  carol = await mail.addUser("carol@example.test");
  b = await startBridge(mail, { env: smtpEnv(mail) });
  bridges.push(b);
  aliceCookie = await signedIn(b, alice.email, alice.password);
  bobCookie = await signedIn(b, bob.email, bob.password);
  as = await openSocket(b, aliceCookie);
  bs = await openSocket(b, bobCookie);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  await Promise.all(bridges.map((x) => x.close()));
  await mail?.stop();
});

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

let seq = 0;
const nextId = () => `r${++seq}`;

async function imapAs(user: { email: string; password: string }): Promise<ImapFlow> {
  const client = await imapClient(mail, user);
  clients.push(client);
  return client;
}

const imapCache = new Map<string, ImapFlow>();
async function imapOf(user: { email: string; password: string }): Promise<ImapFlow> {
  let client = imapCache.get(user.email);
  if (!client?.usable) {
    client = await imapAs(user);
    imapCache.set(user.email, client);
  }
  return client;
}

async function count(user: { email: string; password: string }, mailbox: string): Promise<number> {
  const client = await imapOf(user);
  // STATUS of the selected mailbox may answer from this connection's view: sync it first
  if (client.mailbox && client.mailbox.path === mailbox) await client.noop();
  const status = await client.status(mailbox, { messages: true });
  return status ? (status.messages ?? 0) : 0;
}

function uidValidityOf(client: ImapFlow): number {
  return client.mailbox === false ? 0 : Number(client.mailbox.uidValidity);
}

interface Found {
  uid: number;
  uidValidity: number;
  flags: Set<string>;
  source: Buffer;
}

/** The message with `messageId` in `mailbox`, waiting for it to arrive. */
async function findMessage(
  user: { email: string; password: string },
  mailbox: string,
  messageId: string,
  ms = 15_000,
): Promise<Found> {
  const client = await imapOf(user);
  const deadline = Date.now() + ms;
  for (;;) {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const uids = await client.search({ header: { "message-id": messageId } }, { uid: true });
      const uid = Array.isArray(uids) ? uids[0] : undefined;
      const found = uid === undefined ? null : await fetchFound(client, uid);
      if (found) return found;
    } finally {
      lock.release();
    }
    if (Date.now() > deadline) throw new Error(`${messageId} did not arrive in ${mailbox}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function draft(over: Partial<TComposeDraftInput> = {}): TComposeDraftInput {
  return {
    from: { name: "Alice Example", address: alice.email },
    to: [{ name: "Bob", address: bob.email }],
    subject: `Test ${seq}`,
    text: "Hello Bob",
    ...over,
  };
}

type Sent = TServerFrameOf<"compose.sent">;
type Failed = TServerFrameOf<"compose.failed">;

/** Queues a send and awaits its outcome event. */
async function send(
  s: TestSocket,
  d: TComposeDraftInput,
  opts: { delaySeconds?: number; draftUid?: { uidValidity: number; uid: number } | undefined } = {},
): Promise<{ queued: TServerFrameOf<"compose.queued">; outcome: Sent | Failed }> {
  const reply = await s.request({
    type: "compose.send",
    id: nextId(),
    draft: d,
    delaySeconds: opts.delaySeconds ?? 0,
    ...(opts.draftUid ? { draftUid: opts.draftUid } : {}),
  });
  if (reply.type !== "compose.queued") throw new Error(`not queued: ${JSON.stringify(reply)}`);
  const outcome = await s.waitFor<Sent | Failed>(
    (f) => (f.type === "compose.sent" || f.type === "compose.failed") && f.sendId === reply.sendId,
    "send outcome",
    60_000,
  );
  return { queued: reply, outcome };
}

async function sendOk(
  s: TestSocket,
  d: TComposeDraftInput,
  opts: Parameters<typeof send>[2] = {},
): Promise<Sent> {
  const { outcome } = await send(s, d, opts);
  if (outcome.type !== "compose.sent")
    throw new Error(`send failed: ${outcome.code} ${outcome.message}`);
  return outcome;
}

/**
 * Proves a message did NOT arrive: sends a marker afterwards and waits for it; whatever was
 * sent before it has been delivered by then (same sender, same queue), so the count tells.
 */
async function assertNothingElseArrives(before: number): Promise<void> {
  const marker = await sendOk(as, draft({ subject: `marker ${randomBytes(4).toString("hex")}` }));
  await findMessage(bob, "INBOX", marker.messageId);
  expect(await count(bob, "INBOX")).toBe(before + 1);
}

async function upload(
  tb: TestBridge,
  cookie: string,
  filename: string,
  body: Buffer | AsyncIterable<Buffer>,
  type = "application/octet-stream",
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${tb.url}${uploadUrl(filename)}`, {
    method: "POST",
    headers: { cookie, origin: tb.origin, "content-type": type },
    body: Buffer.isBuffer(body) ? body : ReadableStreamFrom(body),
    ...(Buffer.isBuffer(body) ? {} : { duplex: "half" }),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

function ReadableStreamFrom(it: AsyncIterable<Buffer>): ReadableStream<Uint8Array> {
  const iterator = it[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(new Uint8Array(next.value));
    },
  });
}

async function* chunks(total: number, seed: Buffer, size = 1024 * 1024): AsyncIterable<Buffer> {
  for (let sent = 0; sent < total; sent += size) {
    const n = Math.min(size, total - sent);
    const chunk = Buffer.alloc(n);
    for (let i = 0; i < n; i += seed.length) seed.copy(chunk, i, 0, Math.min(seed.length, n - i));
    chunk.writeUInt32BE(sent >>> 0, 0);
    yield chunk;
  }
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

const isError = (id: string) => (f: TServerFrame) => f.type === "error" && f.id === id;

// ---------------------------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------------------------

describe("sending", () => {
  it("delivers to To and Bcc with the right headers, and files a copy in Sent", async () => {
    const subject = "Grüße aus Köln – 日本語 ✉";
    const sent = await sendOk(
      as,
      draft({
        to: [{ name: "Bob Builder", address: bob.email }],
        bcc: [{ name: "", address: carol.email }],
        subject,
        html: "<p>Hello <b>Bob</b></p>",
        text: "Hello Bob",
      }),
    );
    expect(sent.messageId).toMatch(/^<.+@example\.test>$/);

    const inbox = await findMessage(bob, "INBOX", sent.messageId);
    const parsed = await simpleParser(inbox.source);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value).toEqual([{ name: "Alice Example", address: alice.email }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : []).toEqual([
      { name: "Bob Builder", address: bob.email },
    ]);
    expect(parsed.bcc).toBeUndefined();
    expect(inbox.source.toString("latin1")).not.toContain(carol.email);
    expect(parsed.html).toContain("<b>Bob</b>");
    expect(parsed.text?.trim()).toBe("Hello Bob");

    // Bcc recipient got it too
    await findMessage(carol, "INBOX", sent.messageId);

    // the copy in Sent: same message, \Seen, Bcc kept for the sender's eyes
    expect(sent.sentCopy).not.toBeNull();
    expect(sent.warnings).toEqual([]);
    const copy = await findMessage(alice, "Sent", sent.messageId);
    expect(copy.uid).toBe(sent.sentCopy?.uid);
    expect(copy.uidValidity).toBe(sent.sentCopy?.uidValidity);
    expect(copy.flags.has("\\Seen")).toBe(true);
    const copyParsed = await simpleParser(copy.source);
    expect(copyParsed.bcc && !Array.isArray(copyParsed.bcc) ? copyParsed.bcc.text : "").toContain(
      carol.email,
    );
  });

  it("pushes the outcome to every open socket of the session", async () => {
    const other = await openSocket(b, aliceCookie);
    const sent = await sendOk(as, draft({ subject: "two tabs" }));
    await other.waitFor(
      (f) => f.type === "compose.sent" && f.sendId === sent.sendId,
      "event on the other tab",
    );
    other.close();
  });

  it("sends even after every socket of the session closed (the tab was closed)", async () => {
    const s = await openSocket(b, aliceCookie);
    const subject = `tab closed ${randomBytes(3).toString("hex")}`;
    const reply = await s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft({ subject }),
      delaySeconds: 1,
    });
    expect(reply.type).toBe("compose.queued");
    s.close();
    await s.closed;
    // as is alice's other socket: close it too, so no socket of the session is left
    as.close();
    await as.closed;
    expect(await arrivedInInbox(bob, subject, 15_000)).toBe(true);
    as = await openSocket(b, aliceCookie);
  });

  it("refuses a From that is not the user's, with nothing queued", async () => {
    const id = nextId();
    const reply = await as.request({
      type: "compose.send",
      id,
      draft: draft({ from: { name: "", address: bob.email } }),
      delaySeconds: 0,
    });
    expect(reply).toMatchObject({ type: "error", code: "bad_request" });
    expect(b.bridge.compose.pendingCount()).toBe(0);
  });

  it("sends from an identity once the user added it", async () => {
    const saved = await as.request({
      type: "identities.save",
      id: nextId(),
      identities: [
        {
          id: "work",
          name: "Alice at Work",
          address: "alice.work@example.test",
          signature: "-- \nAlice",
        },
      ],
    });
    expect(saved).toMatchObject({
      type: "identities",
      identities: [{ id: "work", address: "alice.work@example.test" }],
    });
    const listed = await as.request({ type: "identities.list", id: nextId() });
    expect(listed).toMatchObject({ type: "identities", identities: [{ id: "work" }] });
    const sent = await sendOk(
      as,
      draft({
        from: { name: "Alice at Work", address: "alice.work@example.test" },
        identityId: "work",
        subject: "from work",
      }),
    );
    const got = await simpleParser((await findMessage(bob, "INBOX", sent.messageId)).source);
    expect(got.from?.value[0]?.address).toBe("alice.work@example.test");
  });
});

describe("header safety", () => {
  it("refuses a subject with CR/LF with a typed error, and sends nothing", async () => {
    const before = await count(bob, "INBOX");
    for (const subject of ["Hi\r\nBcc: carol@example.test", "Hi\nthere", "Hi\0"]) {
      const id = nextId();
      as.send(
        JSON.stringify({ type: "compose.send", id, draft: draft({ subject }), delaySeconds: 0 }),
      );
      const err = await as.waitFor<TServerFrameOf<"error">>(isError(id), "error reply");
      expect(err.code).toBe("bad_request");
      expect(err.message).toMatch(/line breaks/);
    }
    const id = nextId();
    as.send(
      JSON.stringify({
        type: "compose.send",
        id,
        draft: draft({ to: [{ name: "Bob\r\nBcc: carol@example.test", address: bob.email }] }),
        delaySeconds: 0,
      }),
    );
    expect((await as.waitFor<TServerFrameOf<"error">>(isError(id), "error reply")).code).toBe(
      "bad_request",
    );
    expect(b.bridge.compose.pendingCount()).toBe(0);
    await assertNothingElseArrives(before);
  });

  it("refuses an address that is not an addr-spec", async () => {
    const id = nextId();
    as.send(
      JSON.stringify({
        type: "compose.send",
        id,
        draft: draft({ to: [{ name: "", address: "Bob <bob@example.test>" }] }),
      }),
    );
    const err = await as.waitFor<TServerFrameOf<"error">>(isError(id), "error reply");
    expect(err).toMatchObject({ code: "bad_request" });
    expect(err.message).toMatch(/valid email address/);
  });
});

describe("undo", () => {
  it("cancel before the deadline returns the draft and nothing is ever sent", async () => {
    const before = await count(bob, "INBOX");
    const d = draft({ subject: `undo me ${randomBytes(3).toString("hex")}` });
    const queued = await as.request({
      type: "compose.send",
      id: nextId(),
      draft: d,
      delaySeconds: 1,
    });
    if (queued.type !== "compose.queued") throw new Error("not queued");
    const cancelled = await as.request({
      type: "compose.cancel",
      id: nextId(),
      sendId: queued.sendId,
    });
    expect(cancelled).toMatchObject({
      type: "compose.cancelled",
      sendId: queued.sendId,
      draft: { subject: d.subject, to: d.to },
    });
    // wait out the deadline on a timer of our own, then prove nothing went out
    const deadline = new Date(queued.sendAt).getTime();
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 500));
    expect(b.bridge.compose.pendingCount()).toBe(0);
    expect(as.ofType("compose.sent").some((f) => f.sendId === queued.sendId)).toBe(false);
    await assertNothingElseArrives(before);
    // cancelling again is refused clearly
    const again = await as.request({ type: "compose.cancel", id: nextId(), sendId: queued.sendId });
    expect(again).toMatchObject({ type: "error", code: "bad_request" });
  });

  it("cancel after sending says already_sent", async () => {
    const sent = await sendOk(as, draft({ subject: "too late" }));
    const reply = await as.request({ type: "compose.cancel", id: nextId(), sendId: sent.sendId });
    expect(reply).toMatchObject({ type: "error", code: "already_sent" });
  });
});

describe("replies and forwards", () => {
  let original: Found;
  let originalId: string;

  beforeAll(async () => {
    const sent = await sendOk(
      as,
      draft({
        to: [
          { name: "Bob", address: bob.email },
          { name: "Carol", address: carol.email },
        ],
        cc: [{ name: "Alice again", address: alice.email }],
        subject: "RE: Lunch on Friday",
        text: "Shall we meet at noon?\nBring the report.",
        references: ["<thread-start@example.test>"],
        inReplyTo: "<thread-start@example.test>",
      }),
    );
    originalId = sent.messageId;
    original = await findMessage(bob, "INBOX", originalId);
  });

  it("reply: To the sender, Re: not doubled, threaded, quoted", async () => {
    const ref = { mailbox: "INBOX", uidValidity: original.uidValidity, uid: original.uid };
    const ctx = await bs.request({
      type: "compose.context",
      id: nextId(),
      ref,
      mode: "reply",
      timeZone: "UTC",
    });
    if (ctx.type !== "compose.context") throw new Error(JSON.stringify(ctx));
    const d = ctx.draft;
    expect(d.from.address).toBe(bob.email);
    expect(d.to).toEqual([{ name: "Alice Example", address: alice.email }]);
    expect(d.cc).toEqual([]);
    expect(d.subject).toBe("Re: Lunch on Friday");
    expect(d.inReplyTo).toBe(originalId);
    expect(d.references).toEqual(["<thread-start@example.test>", originalId]);
    expect(d.text).toMatch(/wrote:\n> Shall we meet at noon\?\n> Bring the report\./);
    expect(d.html).toContain("<blockquote");
    expect(d.source).toEqual({ ref, mode: "reply" });

    // Bob sends it; Alice gets it threaded, and Bob's original is \Answered
    const sent = await sendOk(bs, { ...d, text: `Sounds good.${d.text}` });
    const reply = await simpleParser((await findMessage(alice, "INBOX", sent.messageId)).source);
    expect(reply.inReplyTo).toBe(originalId);
    expect(reply.references).toEqual(["<thread-start@example.test>", originalId]);
    expect(reply.subject).toBe("Re: Lunch on Friday");
    const flagged = await findMessage(bob, "INBOX", originalId);
    expect(flagged.flags.has("\\Answered")).toBe(true);
  });

  it("reply all: everyone but the user's own addresses (identities included)", async () => {
    await bs.request({
      type: "identities.save",
      id: nextId(),
      identities: [{ id: "b2", name: "Bob Alias", address: "carol@example.test", signature: "" }],
    });
    const ref = { mailbox: "INBOX", uidValidity: original.uidValidity, uid: original.uid };
    const ctx = await bs.request({ type: "compose.context", id: nextId(), ref, mode: "replyAll" });
    if (ctx.type !== "compose.context") throw new Error(JSON.stringify(ctx));
    const all = [...ctx.draft.to, ...ctx.draft.cc].map((a) => a.address);
    expect(all).toContain(alice.email);
    expect(all).not.toContain(bob.email);
    expect(all).not.toContain(carol.email); // Bob's identity
    expect(new Set(all).size).toBe(all.length);
    expect(ctx.draft.subject).toBe("Re: Lunch on Friday");
    await bs.request({ type: "identities.save", id: nextId(), identities: [] });
    const ctx2 = await bs.request({ type: "compose.context", id: nextId(), ref, mode: "replyAll" });
    if (ctx2.type !== "compose.context") throw new Error(JSON.stringify(ctx2));
    expect(ctx2.draft.to.map((a) => a.address)).toEqual([alice.email, carol.email]);
    expect(ctx2.draft.cc).toEqual([]); // Alice in Cc is already in To
  });

  it("forward inline carries the headers block; forward as attachment carries the message", async () => {
    const ref = { mailbox: "INBOX", uidValidity: original.uidValidity, uid: original.uid };
    const inline = await bs.request({
      type: "compose.context",
      id: nextId(),
      ref,
      mode: "forward",
    });
    if (inline.type !== "compose.context") throw new Error(JSON.stringify(inline));
    expect(inline.draft.subject).toBe("Fwd: RE: Lunch on Friday");
    expect(inline.draft.text).toContain("---------- Forwarded message ---------");
    expect(inline.draft.text).toContain(`From: Alice Example <${alice.email}>`);
    expect(inline.draft.text).toContain("Shall we meet at noon?");
    expect(inline.draft.to).toEqual([]);

    const asAttachment = await bs.request({
      type: "compose.context",
      id: nextId(),
      ref,
      mode: "forwardAttachment",
    });
    if (asAttachment.type !== "compose.context") throw new Error(JSON.stringify(asAttachment));
    expect(asAttachment.draft.attachments).toEqual([
      { forwardOf: ref, filename: "RE_ Lunch on Friday.eml", size: original.source.length },
    ]);
    const sent = await sendOk(bs, {
      ...asAttachment.draft,
      to: [{ name: "", address: carol.email }],
    });
    const got = await simpleParser((await findMessage(carol, "INBOX", sent.messageId)).source);
    const eml = got.attachments.find((a) => a.contentType === "message/rfc822");
    expect(eml).toBeDefined();
    expect(eml?.content.equals(original.source)).toBe(true);
  });
});

describe("attachments", () => {
  it("arrive byte for byte, with a non-ASCII name and a 25 MB streamed file", async () => {
    const small = randomBytes(300_000);
    const up1 = await upload(b, aliceCookie, "Résumé – 日本語 ✓.bin", small);
    expect(up1.status).toBe(201);
    const info1 = up1.body as TUploadInfo;
    expect(info1).toMatchObject({
      filename: "Résumé – 日本語 ✓.bin",
      size: small.length,
      type: "application/octet-stream",
    });

    const bigSize = 25 * 1024 * 1024;
    const hash = createHash("sha256");
    const seed = randomBytes(4096);
    const stream = (async function* () {
      for await (const c of chunks(bigSize, seed)) {
        hash.update(c);
        yield c;
      }
    })();
    const up2 = await upload(b, aliceCookie, "big.dat", stream, "application/x-test");
    expect(up2.status).toBe(201);
    const info2 = up2.body as TUploadInfo;
    expect(info2).toMatchObject({ size: bigSize, type: "application/x-test" });
    const bigHash = hash.digest("hex");

    const sent = await sendOk(
      as,
      draft({
        subject: "files",
        attachments: [info1, info2],
      }),
    );
    const got = await simpleParser(
      (await findMessage(bob, "INBOX", sent.messageId, 60_000)).source,
    );
    const byName = new Map(got.attachments.map((a) => [a.filename, a]));
    expect(sha256(byName.get("Résumé – 日本語 ✓.bin")?.content ?? Buffer.alloc(0))).toBe(
      sha256(small),
    );
    expect(byName.get("big.dat")?.content.length).toBe(bigSize);
    expect(sha256(byName.get("big.dat")?.content ?? Buffer.alloc(0))).toBe(bigHash);
    // sent uploads are gone
    expect(b.bridge.compose.uploads.get(sessionOf(b, aliceCookie), info1.uploadId)).toBeUndefined();
  }, 120_000);

  it("an inline upload goes out as a cid: part of a multipart/related body", async () => {
    // A 1×1 PNG.
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    const shot = (await upload(b, aliceCookie, "image.png", png, "image/png")).body as TUploadInfo;
    const doc = (await upload(b, aliceCookie, "notes.txt", Buffer.from("n"), "text/plain"))
      .body as TUploadInfo;
    const cid = inlineContentId(shot.uploadId);
    const sent = await sendOk(
      as,
      draft({
        subject: `inline ${randomBytes(3).toString("hex")}`,
        html: `<p>Look:</p><p><img src="cid:${cid}" alt="image.png"></p>`,
        text: "Look:",
        attachments: [{ ...shot, inline: true }, doc],
      }),
    );
    for (const [user, mailbox] of [
      [bob, "INBOX"],
      [alice, "Sent"],
    ] as const) {
      const found = await findMessage(user, mailbox, sent.messageId);
      const parsed = await simpleParser(found.source, { keepCidLinks: true });
      expect(parsed.html).toContain(`src="cid:${cid}"`);
      const image = parsed.attachments.find((a) => a.contentType === "image/png");
      expect(image?.cid).toBe(cid);
      expect(image?.contentDisposition).toBe("inline");
      expect(image?.related).toBe(true);
      expect(image?.content.equals(png)).toBe(true);
      const other = parsed.attachments.find((a) => a.filename === "notes.txt");
      expect(other?.contentDisposition).toBe("attachment");
      expect(other?.related).toBeFalsy();
      expect(found.source.toString("latin1")).toMatch(/Content-Type: multipart\/related/i);
    }
  });

  it("a deleted upload cannot be sent", async () => {
    const up = await upload(b, aliceCookie, "gone.txt", Buffer.from("x"), "text/plain");
    const info = up.body as TUploadInfo;
    const del = await fetch(`${b.url}/api/uploads/${info.uploadId}`, {
      method: "DELETE",
      headers: { cookie: aliceCookie, origin: b.origin },
    });
    expect(del.status).toBe(204);
    const again = await fetch(`${b.url}/api/uploads/${info.uploadId}`, {
      method: "DELETE",
      headers: { cookie: aliceCookie, origin: b.origin },
    });
    expect(again.status).toBe(404);
    const reply = await as.request({
      type: "compose.send",
      id: nextId(),
      draft: draft({ attachments: [info] }),
      delaySeconds: 0,
    });
    expect(reply).toMatchObject({ type: "error", code: "bad_request" });
  });

  it("uploads need the session cookie and an allowed Origin", async () => {
    const noCookie = await fetch(`${b.url}${uploadUrl("a.txt")}`, {
      method: "POST",
      headers: { origin: b.origin, "content-type": "text/plain" },
      body: "x",
    });
    expect(noCookie.status).toBe(401);
    const foreign = await fetch(`${b.url}${uploadUrl("a.txt")}`, {
      method: "POST",
      headers: {
        cookie: aliceCookie,
        origin: "https://evil.example",
        "content-type": "text/plain",
      },
      body: "x",
    });
    expect(foreign.status).toBe(403);
  });
});

describe("upload limit", () => {
  let small: TestBridge;
  let cookie: string;
  const LIMIT = 1024 * 1024;

  beforeAll(async () => {
    small = await startBridge(mail, {
      env: smtpEnv(mail),
      config: { uploadMaxBytes: LIMIT, messageMaxBytes: 2 * LIMIT },
    });
    bridges.push(small);
    cookie = await signedIn(small, alice.email, alice.password);
  });

  it("answers 413 at once when the declared size is over the limit", async () => {
    const res = await rawUpload(small, cookie, { declared: 10 * LIMIT, total: 10 * LIMIT });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: "too_large" } });
    expect(res.writtenWhenAnswered).toBeLessThan(10 * LIMIT);
  });

  it("cuts a streamed upload off with 413 once it passes the limit, before the body is read", async () => {
    const total = 64 * LIMIT;
    const res = await rawUpload(small, cookie, { total });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: "too_large" } });
    expect(res.writtenWhenAnswered).toBeLessThan(total / 2);
    expect(small.bridge.compose.uploads.count(sessionOf(small, cookie))).toBe(0);
  });

  it("refuses at send a message whose attachments together pass the message limit", async () => {
    const one = (await upload(small, cookie, "a.bin", randomBytes(LIMIT))).body as TUploadInfo;
    const two = (await upload(small, cookie, "b.bin", randomBytes(LIMIT))).body as TUploadInfo;
    const s = await openSocket(small, cookie);
    const reply = await s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft({ attachments: [one, two], text: "x".repeat(10) }),
      delaySeconds: 0,
    });
    expect(reply).toMatchObject({ type: "error", code: "too_large" });
    s.close();
  });
});

describe("drafts", () => {
  it("a save replaces the previous one, resumes with its attachment, and goes away when sent", async () => {
    const before = await count(alice, "Drafts");
    const file = randomBytes(50_000);
    const up = (await upload(b, aliceCookie, "plan ü.pdf", file, "application/pdf"))
      .body as TUploadInfo;
    const subject = `Draft ${randomBytes(3).toString("hex")}`;
    const v1 = await as.request({
      type: "draft.save",
      id: nextId(),
      draft: draft({ subject, text: "first" }),
    });
    if (v1.type !== "draft.saved") throw new Error(JSON.stringify(v1));
    expect(v1.mailbox).toBe("Drafts");
    const v2 = await as.request({
      type: "draft.save",
      id: nextId(),
      draft: draft({
        subject,
        text: "second",
        bcc: [{ name: "", address: carol.email }],
        attachments: [up],
      }),
      replaceUid: { uidValidity: v1.uidValidity, uid: v1.uid },
    });
    if (v2.type !== "draft.saved") throw new Error(JSON.stringify(v2));
    expect(v2.uid).not.toBe(v1.uid);
    expect(await count(alice, "Drafts")).toBe(before + 1);
    const stored = await findMessageByUid(alice, "Drafts", v2.uid);
    expect(stored.flags.has("\\Draft")).toBe(true);
    expect(stored.flags.has("\\Seen")).toBe(true);

    // resume (after a reload: a new socket)
    const s = await openSocket(b, aliceCookie);
    const ref = { mailbox: v2.mailbox, uidValidity: v2.uidValidity, uid: v2.uid };
    const resumed = await s.request({ type: "compose.context", id: nextId(), ref, mode: "draft" });
    if (resumed.type !== "compose.context") throw new Error(JSON.stringify(resumed));
    expect(resumed.draftUid).toEqual({ uidValidity: v2.uidValidity, uid: v2.uid });
    expect(resumed.draft.subject).toBe(subject);
    expect(resumed.draft.text.trim()).toBe("second");
    expect(resumed.draft.to).toEqual([{ name: "Bob", address: bob.email }]);
    expect(resumed.draft.bcc).toEqual([{ name: "", address: carol.email }]);
    expect(resumed.draft.attachments).toHaveLength(1);
    const att = resumed.draft.attachments[0];
    if (!att || !("uploadId" in att)) throw new Error("attachment not resumed as an upload");
    expect(att).toMatchObject({
      filename: "plan ü.pdf",
      size: file.length,
      type: "application/pdf",
    });

    // send the resumed draft: it arrives with the file intact, and the draft is deleted
    const sent = await sendOk(s, resumed.draft, { draftUid: resumed.draftUid ?? undefined });
    expect(sent.warnings).toEqual([]);
    const got = await simpleParser((await findMessage(bob, "INBOX", sent.messageId)).source);
    expect(sha256(got.attachments[0]?.content ?? Buffer.alloc(0))).toBe(sha256(file));
    expect(await count(alice, "Drafts")).toBe(before);
    s.close();
  });

  it("discard deletes a saved draft; only drafts can be discarded", async () => {
    const before = await count(alice, "Drafts");
    const saved = await as.request({
      type: "draft.save",
      id: nextId(),
      draft: draft({ subject: "discard me" }),
    });
    if (saved.type !== "draft.saved") throw new Error(JSON.stringify(saved));
    expect(await count(alice, "Drafts")).toBe(before + 1);
    const ok = await as.request({
      type: "draft.discard",
      id: nextId(),
      ref: { mailbox: saved.mailbox, uidValidity: saved.uidValidity, uid: saved.uid },
    });
    expect(ok.type).toBe("ok");
    expect(await count(alice, "Drafts")).toBe(before);
    const refused = await as.request({
      type: "draft.discard",
      id: nextId(),
      ref: { mailbox: "INBOX", uidValidity: 1, uid: 1 },
    });
    expect(refused).toMatchObject({ type: "error", code: "bad_request" });
  });
});

describe("failures keep the draft", () => {
  it("a refused recipient: recipient_refused naming it, nothing sent to anyone", async () => {
    const before = await count(bob, "INBOX");
    const d = draft({
      to: [
        { name: "Bob", address: bob.email },
        { name: "Nobody", address: "nobody@example.test" },
      ],
      subject: "partly refused",
    });
    const { outcome } = await send(as, d);
    expect(outcome).toMatchObject({
      type: "compose.failed",
      code: "recipient_refused",
      rejected: ["nobody@example.test"],
      draft: { subject: "partly refused", to: d.to },
    });
    if (outcome.type === "compose.failed") {
      expect(outcome.message).toContain("nobody@example.test");
      expect(outcome.message).not.toMatch(/5\.\d\.\d|Recipient address rejected|User unknown/i);
    }
    await assertNothingElseArrives(before);
  });

  it("SMTP down: smtp_unavailable, a clear message, the draft returned", async () => {
    const closedPort = await freePort();
    const down = await startBridge(mail, { env: smtpEnv(mail, closedPort) });
    bridges.push(down);
    const cookie = await signedIn(down, alice.email, alice.password);
    const s = await openSocket(down, cookie);
    const up = (await upload(down, cookie, "keep.txt", Buffer.from("keep me"), "text/plain"))
      .body as TUploadInfo;
    const d = draft({ subject: "while SMTP is down", attachments: [up] });
    const { outcome } = await send(s, d);
    expect(outcome).toMatchObject({
      type: "compose.failed",
      code: "smtp_unavailable",
      draft: { subject: "while SMTP is down", attachments: [up] },
      rejected: [],
    });
    if (outcome.type === "compose.failed") expect(outcome.message).toMatch(/could not be reached/);
    // the upload survives the failure, so the kept draft can be sent later
    expect(down.bridge.compose.uploads.get(sessionOf(down, cookie), up.uploadId)).toBeDefined();
    s.close();
  });

  it("a message over the server's SIZE limit: too_large, nothing sent", async () => {
    // Postfix takes 50 MB; let the bridge allow more so the server's limit is what bites
    const roomy = await startBridge(mail, {
      env: smtpEnv(mail),
      config: { uploadMaxBytes: 45 * 1024 * 1024, messageMaxBytes: 60 * 1024 * 1024 },
    });
    bridges.push(roomy);
    const cookie = await signedIn(roomy, alice.email, alice.password);
    const s = await openSocket(roomy, cookie);
    const up = await upload(roomy, cookie, "huge.bin", chunks(40 * 1024 * 1024, randomBytes(4096)));
    expect(up.status).toBe(201);
    const before = await count(bob, "INBOX");
    const { outcome } = await send(
      s,
      draft({ subject: "too big", attachments: [up.body as TUploadInfo] }),
    );
    expect(outcome).toMatchObject({
      type: "compose.failed",
      code: "too_large",
      draft: { subject: "too big" },
    });
    s.close();
    await assertNothingElseArrives(before);
  }, 120_000);

  it("without any SMTP server: smtp_not_configured at once", async () => {
    const none = await startBridge(mail);
    bridges.push(none);
    const cookie = await signedIn(none, alice.email, alice.password);
    const s = await openSocket(none, cookie);
    const reply = await s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft(),
      delaySeconds: 0,
    });
    expect(reply).toMatchObject({ type: "error", code: "smtp_not_configured" });
    s.close();
  });
});

describe("sign-out", () => {
  it("sends what was held (the user pressed Send) and drops the uploads", async () => {
    const cookie = await signedIn(b, alice.email, alice.password);
    const s = await openSocket(b, cookie);
    const key = sessionOf(b, cookie);
    const up = (await upload(b, cookie, "x.txt", Buffer.from("x"), "text/plain"))
      .body as TUploadInfo;
    const spare = (await upload(b, cookie, "y.txt", Buffer.from("y"), "text/plain"))
      .body as TUploadInfo;
    const subject = `held at sign-out ${randomBytes(3).toString("hex")}`;
    const queued = await s.request({
      type: "compose.send",
      id: nextId(),
      draft: draft({ subject, attachments: [up] }),
      delaySeconds: 30,
    });
    expect(queued.type).toBe("compose.queued");
    const res = await fetch(`${b.url}/api/session`, {
      method: "DELETE",
      headers: { cookie, origin: b.origin },
    });
    expect(res.status).toBe(204);
    const started = Date.now();
    expect(await arrivedInInbox(bob, subject, 15_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000); // well before the 30 s undo window
    await withTimeout(
      (async () => {
        while (b.bridge.compose.uploads.get(key, spare.uploadId))
          await new Promise((r) => setTimeout(r, 20));
      })(),
      5000,
      "uploads dropped",
    );
  });
});

describe("contacts", () => {
  it("suggests addresses from the user's mail, not the user's own", async () => {
    const reply = await as.request({ type: "contacts.suggest", id: nextId(), prefix: "bo" });
    if (reply.type !== "contacts") throw new Error(JSON.stringify(reply));
    expect(reply.contacts.map((c) => c.address)).toContain(bob.email);
    const mine = await as.request({ type: "contacts.suggest", id: nextId(), prefix: "alice" });
    if (mine.type !== "contacts") throw new Error(JSON.stringify(mine));
    expect(mine.contacts.map((c) => c.address)).not.toContain(alice.email);
  });
});

// ---------------------------------------------------------------------------------------------

function sessionOf(_tb: TestBridge, cookie: string): string {
  return sessionKey(cookie.split("=")[1] ?? "");
}

async function findMessageByUid(
  user: { email: string; password: string },
  mailbox: string,
  uid: number,
): Promise<Found> {
  const client = await imapOf(user);
  const lock = await client.getMailboxLock(mailbox);
  try {
    const found = await fetchFound(client, uid);
    if (!found) throw new Error(`no uid ${uid} in ${mailbox}`);
    return found;
  } finally {
    lock.release();
  }
}

/** Whether exactly one message with `subject` is in `user`'s INBOX within `ms`. */
async function arrivedInInbox(
  user: { email: string; password: string },
  subject: string,
  ms: number,
): Promise<boolean> {
  const client = await imapOf(user);
  const deadline = Date.now() + ms;
  for (;;) {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const uids = await client.search({ subject }, { uid: true });
      if (Array.isArray(uids) && uids.length === 1) return true;
    } finally {
      lock.release();
    }
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Message `uid` of the mailbox selected on `client`, with its flags and source; null if none. */
async function fetchFound(client: ImapFlow, uid: number): Promise<Found | null> {
  const msg = await client.fetchOne(
    String(uid),
    { uid: true, flags: true, source: true },
    { uid: true },
  );
  if (msg === false || !msg.source) return null;
  return {
    uid,
    uidValidity: uidValidityOf(client),
    flags: msg.flags ?? new Set(),
    source: msg.source,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A raw upload over node:http, writing `total` bytes in 64 KB chunks (with Content-Length
 * `declared` when given, else chunked) until the answer comes; reports how much had been
 * written by then.
 */
function rawUpload(
  tb: TestBridge,
  cookie: string,
  opts: { total: number; declared?: number },
): Promise<{ status: number; body: unknown; writtenWhenAnswered: number }> {
  const url = new URL(`${tb.url}${uploadUrl("big.bin")}`);
  return withTimeout(
    new Promise((resolve, reject) => {
      let written = 0;
      let answered = false;
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: "POST",
          headers: {
            cookie,
            origin: tb.origin,
            "content-type": "application/octet-stream",
            ...(opts.declared === undefined ? {} : { "content-length": String(opts.declared) }),
          },
        },
        (res) => {
          answered = true;
          const at = written;
          const parts: Buffer[] = [];
          res.on("data", (c: Buffer) => parts.push(c));
          res.on("end", () => {
            const text = Buffer.concat(parts).toString("utf8");
            resolve({
              status: res.statusCode ?? 0,
              body: text ? JSON.parse(text) : null,
              writtenWhenAnswered: at,
            });
            req.destroy();
          });
        },
      );
      req.on("error", (err) => {
        if (!answered) reject(err);
      });
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (!answered && written < opts.total) {
          written += chunk.length;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
        if (!answered) req.end();
      };
      pump();
    }),
    20_000,
    "the upload answer",
  );
}
