/** A minimal LMTP client (RFC 2033) over node:net, used to deliver fixture mail to Dovecot. */
import { createConnection, type Socket } from "node:net";

/** One SMTP/LMTP reply: its code and the text of all its lines. */
export interface Reply {
  code: number;
  text: string;
}

/** Envelope of an LMTP delivery. */
export interface Envelope {
  from: string;
  to: readonly string[];
}

class ReplyReader {
  private buffer = "";
  private lines: string[] = [];
  private pending: Reply[] = [];
  private waiting: ((reply: Reply) => void) | undefined;
  private failure: Error | undefined;
  private onError: ((err: Error) => void) | undefined;

  constructor(socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.drain();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.onError?.(this.failure);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("LMTP connection closed")));
  }

  private drain(): void {
    for (let i = this.buffer.indexOf("\r\n"); i >= 0; i = this.buffer.indexOf("\r\n")) {
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + 2);
      this.lines.push(line.slice(4));
      if (line[3] !== "-") {
        this.pending.push({ code: Number(line.slice(0, 3)), text: this.lines.join("\n") });
        this.lines = [];
      }
    }
    const resolve = this.waiting;
    const next = resolve && this.pending.shift();
    if (resolve && next) {
      this.waiting = undefined;
      resolve(next);
    }
  }

  next(): Promise<Reply> {
    const ready = this.pending.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.onError = reject;
    });
  }
}

/** Normalizes line endings to CRLF, dot-stuffs, and appends the end-of-data marker. */
export function encodeData(raw: string | Buffer): Buffer {
  let text =
    typeof raw === "string" ? Buffer.from(raw, "utf8").toString("latin1") : raw.toString("latin1");
  text = text.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  if (!text.endsWith("\r\n")) text += "\r\n";
  return Buffer.from(`${text}.\r\n`, "latin1");
}

function expect(reply: Reply, ok: (code: number) => boolean, what: string): void {
  if (!ok(reply.code)) throw new Error(`LMTP ${what} failed: ${reply.code} ${reply.text}`);
}

const is2xx = (code: number) => code >= 200 && code < 300;

/**
 * Delivers one message over LMTP. Resolves when every recipient was accepted after DATA;
 * rejects with the server's reply if any recipient or step is refused.
 */
export async function lmtpDeliver(
  port: number,
  raw: string | Buffer,
  envelope: Envelope,
  host = "127.0.0.1",
): Promise<void> {
  if (envelope.to.length === 0) throw new Error("LMTP delivery needs at least one recipient");
  const socket = createConnection({ host, port });
  const replies = new ReplyReader(socket);
  const send = (line: string) => socket.write(`${line}\r\n`, "latin1");
  try {
    expect(await replies.next(), (c) => c === 220, "greeting");
    send("LHLO localhost");
    expect(await replies.next(), is2xx, "LHLO");
    send(`MAIL FROM:<${envelope.from}>`);
    expect(await replies.next(), is2xx, "MAIL FROM");
    for (const rcpt of envelope.to) {
      send(`RCPT TO:<${rcpt}>`);
      expect(await replies.next(), is2xx, `RCPT TO:<${rcpt}>`);
    }
    send("DATA");
    expect(await replies.next(), (c) => c === 354, "DATA");
    socket.write(encodeData(raw));
    for (const rcpt of envelope.to) {
      expect(await replies.next(), is2xx, `delivery to <${rcpt}>`);
    }
    send("QUIT");
    await replies.next().catch(() => undefined);
  } finally {
    socket.destroy();
  }
}
