/**
 * Test support for the live layer's integration tests (imported by *.test.ts only): IMAP
 * clients for the fixture, a connect factory the tests can hold back or redirect, a frame log
 * that validates every event against the protocol and waits for one with a timeout, and a pino
 * logger whose lines the tests can read. The IMAP lines of every client made here are kept (the
 * last WIRE_KEPT), and a wait that times out shows the last of them: what each connection sent
 * and heard before nothing came (vitest keeps a retried test's first error in its JSON report).
 */
import type { MailServer, MailUser } from "@ferry/mail-server";
import { type TServerFrame, type TServerFrameOf, ZServerFrame } from "@ferry/protocol";
import { ImapFlow } from "imapflow";
import { type Logger, pino } from "pino";

/** A connected, logged-in client for `user` (a second device, or one of the session's). */
export async function imapClient(
  server: MailServer,
  user: { email: string; password: string },
  opts: { qresync?: boolean; port?: number } = {},
): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: opts.port ?? server.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    tls: { ca: server.ca },
    logger: wireLogger() as never,
    qresync: opts.qresync ?? false,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/**
 * The `connect` a MailSession gets in tests. `hold()` makes connects wait until `release()`
 * (the session stays disconnected while the test changes things); `redirect()` replaces how
 * clients are made (a wrong password, a dead port). Every client made is kept with whether it
 * has emitted 'close'.
 */
export class Connector {
  readonly clients: { client: ImapFlow; closed: boolean }[] = [];
  attempts = 0;
  private gate: Promise<void> | null = null;
  private open: () => void = () => {};
  private override: (() => Promise<ImapFlow>) | null = null;

  constructor(
    private readonly server: MailServer,
    private readonly user: MailUser,
    private readonly opts: { qresync: boolean },
  ) {}

  readonly connect = async (): Promise<ImapFlow> => {
    this.attempts++;
    if (this.gate) await this.gate;
    const client = this.override
      ? await this.override()
      : await imapClient(this.server, this.user, this.opts);
    const entry = { client, closed: false };
    client.once("close", () => {
      entry.closed = true;
    });
    this.clients.push(entry);
    return client;
  };

  hold(): void {
    this.gate ??= new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open();
    this.gate = null;
  }

  redirect(make: () => Promise<ImapFlow>): void {
    this.override = make;
  }
}

type Match<K extends TServerFrame["type"]> = (frame: TServerFrameOf<K>) => boolean;

/** Every frame a session emitted, in order, each checked against the protocol schema. */
export class FrameLog {
  readonly frames: TServerFrame[] = [];
  readonly invalid: string[] = [];
  private readonly waiters = new Set<() => void>();

  readonly push = (frame: TServerFrame): void => {
    const parsed = ZServerFrame.safeParse(JSON.parse(JSON.stringify(frame)));
    if (!parsed.success) this.invalid.push(`${frame.type}: ${parsed.error.message}`);
    this.frames.push(frame);
    for (const check of [...this.waiters]) check();
  };

  /** Position to wait from: only frames pushed after this point count. */
  mark(): number {
    return this.frames.length;
  }

  of<K extends TServerFrame["type"]>(type: K, from = 0): TServerFrameOf<K>[] {
    return this.frames.slice(from).filter((f): f is TServerFrameOf<K> => f.type === type);
  }

  /** The first frame of `type` at or after `from` that `match` accepts; rejects after `timeoutMs`. */
  next<K extends TServerFrame["type"]>(
    type: K,
    match: Match<K> = () => true,
    opts: { from?: number; timeoutMs?: number } = {},
  ): Promise<TServerFrameOf<K>> {
    const from = opts.from ?? 0;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const find = () => this.of(type, from).find(match);
      const check = () => {
        const found = find();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.frames.slice(from).map((f) => JSON.stringify(f).slice(0, 300));
        reject(
          new Error(
            `no matching ${type} within ${timeoutMs} ms; frames since:\n${seen.join("\n")}\n` +
              `last IMAP lines (ms before now, client, c: sent / s: heard):\n${lastWire(60)}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** IMAP lines kept across the clients of imapClient(), oldest dropped first. */
const WIRE_KEPT = 2_000;
const wire: { at: number; client: number; line: string }[] = [];
let clients = 0;

/** An imapflow logger keeping each client's sent and heard lines (debug level: no message bodies). */
function wireLogger() {
  const client = ++clients;
  const keep = (entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return;
    const { src, msg } = entry as { src?: unknown; msg?: unknown };
    const line = src === "s" || src === "c" ? `${src}: ${String(msg)}` : `   ${String(msg)}`;
    wire.push({ at: performance.now(), client, line: line.slice(0, 200) });
    if (wire.length > WIRE_KEPT) wire.splice(0, wire.length - WIRE_KEPT);
  };
  const skip = () => {};
  return { trace: skip, debug: keep, info: keep, warn: keep, error: keep, fatal: keep };
}

/** The last `n` IMAP lines kept, oldest first. */
function lastWire(n: number): string {
  const now = performance.now();
  return wire
    .slice(-n)
    .map((w) => `${Math.round(now - w.at)} #${w.client} ${w.line}`)
    .join("\n");
}

/** A debug-level pino logger whose JSON lines are kept in `lines`. */
export function captureLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: "debug" },
    {
      write(line: string) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not JSON: ignore
        }
      },
    },
  );
  return { log, lines };
}

let counter = 0;

/** A small RFC 5322 message. */
export function message(opts: {
  subject: string;
  from?: string;
  to: string;
  body?: string;
}): string {
  counter++;
  return [
    `From: ${opts.from ?? "Ann Sender <ann@example.test>"}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <live-${Date.now()}-${counter}@example.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    opts.body ?? `Body of ${opts.subject}`,
    "",
  ].join("\r\n");
}

/** Delivers `raw` to `to` over LMTP. */
export function deliver(server: MailServer, to: string, raw: string): Promise<void> {
  return server.deliver(raw, { from: "ann@example.test", to: [to] });
}

/** UIDs of `path`, read by a separate client. */
export async function uidsOf(client: ImapFlow, path: string): Promise<number[]> {
  const lock = await client.getMailboxLock(path);
  try {
    const uids = await client.search({ all: true }, { uid: true });
    return Array.isArray(uids) ? uids.sort((a, b) => a - b) : [];
  } finally {
    lock.release();
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
