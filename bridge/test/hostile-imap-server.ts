/**
 * A deliberately hostile IMAP server for tests: a scripted responder (not an IMAP server) on
 * 127.0.0.1 port 0, speaking implicit TLS with the mail-server fixture's certificate, so the
 * bridge trusts it exactly as it trusts the fixture. It answers the commands a bridge sends to
 * sign in and open a session (any password is accepted) and turns one command into an attack,
 * chosen by the test: see `Attack`. It counts what it sent of the attack and whether the
 * client cut the connection.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createServer, type Server, type TLSSocket } from "node:tls";

/** What an attack may do with the connection it was given. */
export interface AttackContext {
  socket: TLSSocket;
  tag: string;
  /** Writes `data`, waiting for the socket to drain; false once the client is gone. */
  write(data: string | Buffer): Promise<boolean>;
  /** Counts bytes towards `attackBytes`. */
  sent(bytes: number): void;
  /** Gives the normal answer instead (for a command the attack does not aim at). */
  normal(): Promise<void>;
}

/** Replaces the normal answer to a command (matched by its name, e.g. "LIST" or "UID FETCH"). */
export type Attack = (ctx: AttackContext, args: string) => Promise<void>;

export interface HostileServer {
  port: number;
  /** Bytes of attack payload written before the client closed or the attack ended. */
  readonly attackBytes: number;
  /** Resolves once the client closed a connection that was under attack. */
  readonly cut: Promise<void>;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

const CAPABILITIES = "IMAP4rev1 IDLE LIST-EXTENDED LIST-STATUS LITERAL+ UIDPLUS";

/** A raw FETCH answer of one small message, with `structure` as its BODYSTRUCTURE. */
export function fetchAnswer(structure: string): string {
  return (
    `* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 120 INTERNALDATE "01-Jan-2024 10:00:00 +0000" ` +
    `ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "Hostile" (("Eve" NIL "eve" "example.test")) ` +
    `(("Eve" NIL "eve" "example.test")) (("Eve" NIL "eve" "example.test")) NIL NIL NIL NIL ` +
    `"<h1@example.test>") BODYSTRUCTURE ${structure} BODY[HEADER.FIELDS (REFERENCES LIST-UNSUBSCRIBE)] {2}\r\n\r\n)\r\n`
  );
}

/**
 * Starts the server. `attacks` maps a command name to its attack; every other command gets a
 * short, valid answer (one empty-ish INBOX with one message).
 */
export async function startHostileImap(
  fixtureDir: string,
  attacks: Record<string, Attack>,
): Promise<HostileServer> {
  const [key, cert] = await Promise.all([
    readFile(join(fixtureDir, "tls", "server.key")),
    readFile(join(fixtureDir, "tls", "server.pem")),
  ]);
  let attackBytes = 0;
  let connections = 0;
  let markCut: () => void = () => undefined;
  const cut = new Promise<void>((resolve) => {
    markCut = resolve;
  });
  const sockets = new Set<TLSSocket>();

  const server: Server = createServer({ key, cert }, (socket) => {
    connections += 1;
    sockets.add(socket);
    let gone = false;
    let underAttack = false;
    socket.on("error", () => undefined);
    socket.on("close", () => {
      gone = true;
      sockets.delete(socket);
      if (underAttack) markCut();
    });
    const write = (data: string | Buffer): Promise<boolean> =>
      new Promise((resolve) => {
        if (gone || socket.destroyed) return resolve(false);
        if (socket.write(data)) return resolve(true);
        const done = () => {
          socket.off("drain", done);
          socket.off("close", done);
          resolve(!gone);
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
    const sent = (bytes: number) => {
      attackBytes += bytes;
    };

    let buffer = "";
    let idleTag: string | null = null;
    let queue: Promise<unknown> = Promise.resolve();
    const answer = async (line: string): Promise<void> => {
      if (idleTag !== null) {
        if (line.trim().toUpperCase() === "DONE") {
          await write(`${idleTag} OK IDLE done\r\n`);
          idleTag = null;
        }
        return;
      }
      const match = /^(\S+) (UID \S+|\S+) ?(.*)$/.exec(line);
      if (!match) return;
      const [, tag = "*", rawName = "", args = ""] = match;
      const name = rawName.toUpperCase();
      const attack = attacks[name];
      const normal = async () => {
        underAttack = false;
        await write(normalAnswer(tag, name, args));
      };
      if (attack) {
        underAttack = true;
        await attack({ socket, tag, write, sent, normal }, args);
        return;
      }
      await write(normalAnswer(tag, name, args));
      if (name === "IDLE") idleTag = tag;
      if (name === "LOGOUT") socket.end();
    };
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf("\r\n"); i >= 0; i = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        queue = queue.then(() => answer(line)).catch(() => socket.destroy());
      }
    });
    void write(`* OK [CAPABILITY ${CAPABILITIES}] hostile test server ready\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    get attackBytes() {
      return attackBytes;
    },
    get connections() {
      return connections;
    },
    cut,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function normalAnswer(tag: string, name: string, args: string): string {
  switch (name) {
    case "CAPABILITY":
      return `* CAPABILITY ${CAPABILITIES}\r\n${tag} OK done\r\n`;
    case "LOGIN":
      return `${tag} OK [CAPABILITY ${CAPABILITIES}] logged in\r\n`;
    case "SELECT":
    case "EXAMINE":
      return (
        "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n" +
        "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)] ok\r\n" +
        "* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n" +
        `${tag} OK [${name === "SELECT" ? "READ-WRITE" : "READ-ONLY"}] done\r\n`
      );
    case "LIST":
      return (
        '* LIST (\\HasNoChildren) "/" "INBOX"\r\n' +
        (args.includes("STATUS") ? '* STATUS "INBOX" (MESSAGES 1 UNSEEN 0)\r\n' : "") +
        `${tag} OK done\r\n`
      );
    case "STATUS":
      return `* STATUS "INBOX" (MESSAGES 1 UNSEEN 0 UIDNEXT 2 UIDVALIDITY 7)\r\n${tag} OK done\r\n`;
    case "UID SEARCH":
      return `* SEARCH 1\r\n${tag} OK done\r\n`;
    case "UID FETCH":
    case "FETCH":
      return `${fetchAnswer('("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 2 1 NIL NIL NIL NIL)')}${tag} OK done\r\n`;
    case "IDLE":
      return "+ idling\r\n";
    case "LOGOUT":
      return `* BYE bye\r\n${tag} OK done\r\n`;
    case "NOOP":
      return `${tag} OK done\r\n`;
    default:
      return `${tag} BAD not here\r\n`;
  }
}
