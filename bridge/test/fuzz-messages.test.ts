/**
 * Property-based fuzzing of the reader path (fast-check): messages of the vendored MIME corpus
 * (packages/mail-server/corpus), mutated (byte flips, truncation, duplicated headers, damaged
 * boundaries, odd charset labels, huge header lines, deep multipart nesting, broken transfer
 * encodings), are APPENDed to the real Dovecot and opened through a real bridge: `message.open`
 * over the socket (header, structure, text) and every leaf and the raw source over /api/parts.
 * Each must end, within a bounded time, in content or a typed error (never `internal`), every
 * frame must match the protocol, the bridge must log no error and keep serving.
 *
 * The seed: FERRY_FUZZ_SEED when set, a fixed one under CI, else random; fast-check prints it on
 * failure (rerun with FERRY_FUZZ_SEED=<seed>).
 */
import { existsSync, readFileSync } from "node:fs";
import { CORPUS_DIR, startMailServer } from "@ferry/mail-server";
import { ErrorCode, partUrl, type TBodyPart, type TServerFrame, ZHttpError } from "@ferry/protocol";
import fc from "fast-check";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  corpusFiles,
  imapClient,
  type MailServer,
  openSocket,
  signedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
  withTimeout,
} from "./harness";

const RUNS = 80;
const SEED = process.env.FERRY_FUZZ_SEED
  ? Number(process.env.FERRY_FUZZ_SEED)
  : process.env.CI
    ? 20_261_206
    : undefined;
/** Longest a message.open or one part may take before the bridge counts as hung. */
const ANSWER_MS = 15_000;
/** Leaves fetched per message (deep nesting makes many). */
const LEAVES_PER_MESSAGE = 6;

let mail: MailServer;
let b: TestBridge;
let cookie: string;
let socket: TestSocket;
let imap: ImapFlow;
let corpus: Buffer[] = [];
let counter = 0;

beforeAll(async () => {
  if (!existsSync(CORPUS_DIR)) {
    throw new Error(
      `The MIME corpus is missing: ${CORPUS_DIR} should hold the vendored messages (see its README).`,
    );
  }
  corpus = corpusFiles(CORPUS_DIR).map((f) => readFileSync(f));
  expect(corpus.length).toBeGreaterThan(40);
  mail = await startMailServer({ postfix: false });
  const alice = mail.user("alice@example.test");
  // Every part of every message is fetched: lift the per-session HTTP rate for this run.
  b = await startBridge(mail, { config: { sessionHttpPerMinute: 100_000 } });
  cookie = await signedIn(b, alice.email, alice.password);
  socket = await openSocket(b, cookie);
  imap = await imapClient(mail, alice);
});

afterAll(async () => {
  await imap?.logout().catch(() => undefined);
  await b?.close();
  await mail?.stop();
});

// ---------------------------------------------------------------------------------------------
// Mutations, on the bytes (latin1 keeps every byte as one character)
// ---------------------------------------------------------------------------------------------

type Mutation = (raw: string) => string;

const headerEnd = (raw: string) => {
  const i = raw.search(/\r?\n\r?\n/);
  return i < 0 ? raw.length : i;
};

const byteFlips = fc
  .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })), {
    minLength: 1,
    maxLength: 20,
  })
  .map(
    (flips): Mutation =>
      (raw) => {
        const bytes = Buffer.from(raw, "latin1");
        for (const [at, xor] of flips) {
          const i = Math.min(bytes.length - 1, Math.floor(at * bytes.length));
          if (i >= 0) bytes[i] = (bytes[i] ?? 0) ^ xor;
        }
        return bytes.toString("latin1");
      },
  );

const truncation = fc.double({ min: 0.05, max: 0.99, noNaN: true }).map(
  (at): Mutation =>
    (raw) =>
      raw.slice(0, Math.floor(raw.length * at)),
);

const duplicateHeaders = fc
  .tuple(
    fc.constantFrom("Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Subject", "From"),
    fc.constantFrom(
      "multipart/mixed",
      "text/html; charset=utf-8",
      "base64",
      "quoted-printable",
      "x-unknown",
      "",
      "multipart/alternative; boundary=",
    ),
    fc.integer({ min: 1, max: 50 }),
  )
  .map(
    ([name, value, times]): Mutation =>
      (raw) => {
        const end = headerEnd(raw);
        const extra = `\r\n${name}: ${value}`.repeat(times);
        return raw.slice(0, end) + extra + raw.slice(end);
      },
  );

const boundaryDamage = fc
  .constantFrom("drop-closing", "rename-param", "empty-param", "no-delimiters", "bad-quote")
  .map(
    (how): Mutation =>
      (raw) => {
        const m = /boundary\s*=\s*"?([^";\r\n]+)"?/i.exec(raw);
        const boundary = m?.[1];
        if (!boundary)
          return raw.replace(/Content-Type:[^\r\n]*/i, "Content-Type: multipart/mixed");
        switch (how) {
          case "drop-closing":
            return raw.split(`--${boundary}--`).join("");
          case "rename-param":
            return raw.replace(boundary, `${boundary}-renamed`);
          case "empty-param":
            return raw.replace(/boundary\s*=\s*"?[^";\r\n]+"?/i, 'boundary=""');
          case "no-delimiters":
            return raw.split(`--${boundary}`).join("");
          default:
            return raw.replace(/boundary\s*=\s*"?/i, 'boundary="\\');
        }
      },
  );

const charsetLabels = fc
  .constantFrom(
    "utf-7",
    "x-unknown-charset",
    "iso-2022-jp",
    "utf-16",
    "utf-32be",
    "",
    '"',
    "gb18030",
    "ebcdic-cp-us",
    "windows-1258",
    "../../etc/passwd",
    "a".repeat(300),
  )
  .map(
    (label): Mutation =>
      (raw) =>
        /charset=/i.test(raw)
          ? raw.replace(/charset\s*=\s*"?[^";\s]*"?/gi, `charset=${label}`)
          : raw.replace(/Content-Type:[^\r\n]*/i, `Content-Type: text/plain; charset=${label}`),
  );

const hugeHeaderLine = fc
  .tuple(
    fc.constantFrom("Subject", "X-Long", "From", "Content-Type", "References"),
    fc.integer({ min: 20_000, max: 400_000 }),
    fc.constantFrom("A", "=?utf-8?b?w6k=?= ", "<a@b> ", ", x@y"),
  )
  .map(
    ([name, length, unit]): Mutation =>
      (raw) => {
        const end = headerEnd(raw);
        const value = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        return `${raw.slice(0, end)}\r\n${name}: ${value}${raw.slice(end)}`;
      },
  );

const deepNesting = fc.integer({ min: 5, max: 120 }).map(
  (depth): Mutation =>
    (raw) => {
      const end = headerEnd(raw);
      const body = raw.slice(end).replace(/^\r?\n\r?\n/, "");
      let inner = `Content-Type: text/plain; charset=utf-8\r\n\r\n${body.slice(0, 2000)}\r\n`;
      for (let level = depth; level > 0; level--) {
        const boundary = `nest${level}`;
        inner = `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\n${inner}--${boundary}--\r\n`;
      }
      const headers = raw
        .slice(0, end)
        .replace(/\r?\nContent-Type:[^\r\n]*(\r?\n[ \t][^\r\n]*)*/gi, "")
        .replace(/\r?\nContent-Transfer-Encoding:[^\r\n]*/gi, "");
      return `${headers}\r\nMIME-Version: 1.0\r\n${inner}`;
    },
);

const brokenEncoding = fc
  .constantFrom(
    ["base64", "!!!not base64 at all===\r\n====\r\n"],
    ["base64", "QUJD\r\nR\r\n==\r\nRE"],
    ["quoted-printable", "=ZZ=\r\n=4=\r\n=\r\n"],
    ["x-uuencode", "begin 644 x\r\n`\r\nend\r\n"],
    ["8bit", "\u00ff\u00fe\u0000\u0000binary\u0000"],
  )
  .map(
    ([encoding, junk]): Mutation =>
      (raw) => {
        const withCte = /Content-Transfer-Encoding:[^\r\n]*/i.test(raw)
          ? raw.replace(
              /Content-Transfer-Encoding:[^\r\n]*/gi,
              `Content-Transfer-Encoding: ${encoding}`,
            )
          : raw.replace(/(\r?\n\r?\n)/, `\r\nContent-Transfer-Encoding: ${encoding}$1`);
        return `${withCte}\r\n${junk}`;
      },
  );

const mutation = fc.oneof(
  byteFlips,
  truncation,
  duplicateHeaders,
  boundaryDamage,
  charsetLabels,
  hugeHeaderLine,
  deepNesting,
  brokenEncoding,
);

const mutatedMessage = fc
  .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([which, mutations]) => {
    const original = corpus[which % corpus.length]?.toString("latin1") ?? "";
    const raw = mutations.reduce((m, f) => f(m), original);
    return Buffer.from(raw.length > 0 ? raw : "Subject: empty\r\n\r\n", "latin1");
  });

// ---------------------------------------------------------------------------------------------
// Opening what was stored
// ---------------------------------------------------------------------------------------------

function expectTypedErrorCode(code: string, what: string) {
  expect(ErrorCode.options, what).toContain(code);
  expect(code, what).not.toBe("internal");
}

function leaves(part: TBodyPart): TBodyPart[] {
  return part.children.length === 0 ? [part] : part.children.flatMap(leaves);
}

/** GET a part; it must be served whole, or refused with a typed JSON error, in time. */
async function fetchPart(url: string, what: string): Promise<"served" | "refused"> {
  const res = await fetch(`${b.url}${url}`, {
    headers: { cookie },
    signal: AbortSignal.timeout(ANSWER_MS),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status === 200) return "served";
  const parsed = ZHttpError.safeParse(JSON.parse(body.toString("utf8")));
  expect(parsed.success, `${what}: ${res.status} ${body.toString("utf8").slice(0, 200)}`).toBe(
    true,
  );
  if (parsed.success) expectTypedErrorCode(parsed.data.error.code, `${what}: ${body}`);
  return "refused";
}

const tally = { appended: 0, refusedByServer: 0, opened: 0, openErrors: 0, served: 0, refused: 0 };

async function storeAndOpen(raw: Buffer): Promise<void> {
  let stored: Awaited<ReturnType<ImapFlow["append"]>>;
  try {
    stored = await imap.append("INBOX", raw);
  } catch {
    // Dovecot refused to store it (e.g. a NUL byte): nothing for the reader to open.
    tally.refusedByServer += 1;
    return;
  }
  if (!stored || stored.uid === undefined || stored.uidValidity === undefined) {
    throw new Error("APPEND did not report the new UID (UIDPLUS)");
  }
  tally.appended += 1;
  const ref = { mailbox: "INBOX", uidValidity: Number(stored.uidValidity), uid: stored.uid };
  const id = `open${++counter}`;
  const from = socket.frames.length;
  socket.send(JSON.stringify({ type: "message.open", id, ref }));
  const done = await socket.waitFor(
    (f) => "id" in f && f.id === id && (f.type === "message.end" || f.type === "error"),
    `message.open of a ${raw.length}-byte message`,
    ANSWER_MS,
  );
  const replies = socket.frames.slice(from).filter((f) => "id" in f && f.id === id);
  if (done.type === "error") {
    tally.openErrors += 1;
    expectTypedErrorCode(done.code, `message.open: ${done.message}`);
  } else {
    tally.opened += 1;
    const header = replies.find(
      (f): f is Extract<TServerFrame, { type: "message.header" }> => f.type === "message.header",
    );
    expect(header, "message.header before message.end").toBeDefined();
    if (!header) return;
    // Every announced text part arrived, each ending with `done`.
    for (const part of header.bodyParts) {
      const chunks = replies.filter((f) => f.type === "message.body" && f.part === part.part);
      expect(chunks.at(-1)?.type === "message.body" && chunks.at(-1)).toMatchObject({
        done: true,
      });
    }
    const parts = leaves(header.structure)
      .map((l) => l.part)
      .filter((p) => p !== "")
      .slice(0, LEAVES_PER_MESSAGE);
    for (const part of [...parts, "raw"]) {
      const outcome = await fetchPart(partUrl(ref, part), `part ${part} of uid ${ref.uid}`);
      tally[outcome] += 1;
    }
  }
}

describe("fuzzing the reader with mutated corpus messages", () => {
  it(`opens ${RUNS} mutated messages to content or a typed error, in time`, async () => {
    await fc.assert(
      fc.asyncProperty(mutatedMessage, (raw) => storeAndOpen(raw)),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
    );
    // The run exercised the reader, not only Dovecot's refusals.
    expect(tally.appended).toBeGreaterThan(RUNS / 2);
    expect(tally.opened).toBeGreaterThan(RUNS / 4);
    expect(tally.served).toBeGreaterThan(RUNS / 4);
    expect(socket.invalid).toEqual([]);

    // The bridge still serves: a fresh socket lists the folders.
    const again = await openSocket(b, cookie);
    const boxes = await withTimeout(
      again.request({ type: "mailboxes.list", id: "after" }),
      ANSWER_MS,
      "mailboxes.list after the run",
    );
    expect(boxes.type).toBe("mailboxes");
    again.close();
    const errors = b.logs.text.split("\n").filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  }, 240_000);
});
