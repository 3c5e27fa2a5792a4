/**
 * A small ManageSieve client (RFC 5804), the one way the bridge talks to a Sieve server: connect,
 * STARTTLS (required: credentials are never sent before it), TLS verified as for IMAP (system
 * roots plus FERRY_CA_FILE, net/trust.ts), AUTHENTICATE PLAIN, then LISTSCRIPTS, GETSCRIPT,
 * PUTSCRIPT, CHECKSCRIPT, SETACTIVE, DELETESCRIPT, HAVESPACE and LOGOUT (the wire format: wire.ts).
 *
 * What a server may make the bridge hold or wait for is bounded: each literal and each response
 * (all lines up to its OK/NO/BYE) by byte caps, each command by an inactivity timeout. Breaking a
 * bound closes the connection. Failures are BridgeErrors: `sieve_unavailable` for the connection,
 * TLS and sign-in, `script_rejected` for a script the server refuses (with its reason, cleaned of
 * control characters and cut short), `server_refused` for other refused commands.
 */
import { isIP, connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { BridgeError } from "../errors";
import { trustContext } from "../net/trust";
import {
  cleanReason,
  literal,
  parseLine,
  type SieveResponse,
  type SieveStatus,
  sieveString,
  statusOf,
  type Token,
} from "./wire";

export interface SieveTarget {
  /** Host name the certificate must be valid for. */
  host: string;
  port: number;
  /** Connect to this (checked) address instead of resolving `host` again. */
  address?: string | undefined;
}

export interface SieveCredentials {
  user: string;
  password: string;
}

export interface SieveOptions {
  /** Extra PEM CA to trust besides the system store (FERRY_CA_FILE). */
  ca?: string | undefined;
  /** Connect, TLS handshake and each command: nothing received for this long ends it. */
  timeoutMs?: number;
  /** Bytes one response (data lines and the final line) may hold. */
  maxResponseBytes?: number;
}

/** Largest response the bridge reads (a script of 1 MiB fits with room to spare). */
export const MAX_SIEVE_RESPONSE_BYTES = 2 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;
/** A refused command: the status it got. Internal; callers see BridgeErrors. */
export class SieveCommandError extends Error {
  constructor(
    readonly command: string,
    readonly response: SieveStatus,
  ) {
    super(`${command}: ${response.status} ${response.code ?? ""}`);
  }
}

interface Pending {
  resolve: (r: SieveResponse) => void;
  reject: (err: Error) => void;
  lines: Token[][];
}

/** One ManageSieve connection. Commands run one at a time, in order. */
export class SieveClient {
  #socket: Socket | TLSSocket;
  #buf: Buffer = Buffer.alloc(0);
  #responseBytes = 0;
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed: Error | null = null;
  readonly #timeoutMs: number;
  readonly #maxResponse: number;
  /** The capabilities the server announced last (§1.7), names upper-cased. */
  capabilities = new Map<string, string>();

  private constructor(socket: Socket, opts: SieveOptions) {
    this.#socket = socket;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxResponse = opts.maxResponseBytes ?? MAX_SIEVE_RESPONSE_BYTES;
    this.#listen(socket);
  }

  /**
   * Connects, reads the greeting, upgrades with STARTTLS (§2.2) and signs in with AUTHENTICATE
   * PLAIN (§2.1). A server that does not offer STARTTLS, or fails the handshake or the
   * certificate check, is left before any credential is sent.
   */
  static async open(
    target: SieveTarget,
    creds: SieveCredentials,
    opts: SieveOptions = {},
  ): Promise<SieveClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: target.address ?? target.host, port: target.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(unavailable("The filter server did not answer in time."));
      }, timeoutMs);
      s.once("connect", () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once("error", (err) => {
        clearTimeout(timer);
        reject(unavailable("The filter server could not be reached.", err));
      });
    });
    const client = new SieveClient(socket, opts);
    try {
      // §1.7: the server greets with its capabilities and OK
      client.#setCapabilities(await client.#response("greeting"));
      if (!client.capabilities.has("STARTTLS")) {
        throw unavailable(
          "The filter server does not offer STARTTLS; Ferry signs in only over TLS.",
        );
      }
      await client.#command("STARTTLS", "STARTTLS");
      await client.#startTls(target, opts);
      // §2.2.1: after TLS the server sends its capabilities again, unsolicited
      client.#setCapabilities(await client.#response("capabilities after STARTTLS"));
      const mechanisms = (client.capabilities.get("SASL") ?? "").toUpperCase().split(/\s+/);
      if (!mechanisms.includes("PLAIN")) {
        throw unavailable("The filter server does not accept a password sign-in.");
      }
      const plain = Buffer.from(`\0${creds.user}\0${creds.password}`, "utf8").toString("base64");
      try {
        await client.#command("AUTHENTICATE", `AUTHENTICATE "PLAIN" ${sieveString(plain)}`);
      } catch (err) {
        if (err instanceof BridgeError && err.cause instanceof SieveCommandError) {
          throw unavailable("The filter server refused the sign-in.");
        }
        throw err;
      }
      return client;
    } catch (err) {
      client.close();
      throw err instanceof BridgeError
        ? err
        : unavailable("The filter server could not be used.", err);
    }
  }

  /** §2.7 LISTSCRIPTS: every script, and which one is active. */
  async listScripts(): Promise<{ name: string; active: boolean }[]> {
    const r = await this.#command("LISTSCRIPTS", "LISTSCRIPTS");
    return r.lines.flatMap((line) => {
      const name = line[0];
      if (name?.kind !== "string") return [];
      const flag = line[1];
      return [
        {
          name: name.value,
          active: flag?.kind === "atom" && flag.value.toUpperCase() === "ACTIVE",
        },
      ];
    });
  }

  /** §2.9 GETSCRIPT. */
  async getScript(name: string): Promise<string> {
    const r = await this.#command("GETSCRIPT", `GETSCRIPT ${sieveString(name)}`);
    const token = r.lines[0]?.[0];
    if (token?.kind !== "string")
      throw new BridgeError("server_refused", "The filter server sent no script.");
    return token.value;
  }

  /** §2.6 PUTSCRIPT: stores (and checks) the script; the active one stays what it was. */
  async putScript(name: string, script: string): Promise<void> {
    await this.#command("PUTSCRIPT", `PUTSCRIPT ${sieveString(name)} ${literal(script)}`);
  }

  /** §2.12 CHECKSCRIPT: whether the server would accept the script, storing nothing. */
  async checkScript(script: string): Promise<void> {
    await this.#command("CHECKSCRIPT", `CHECKSCRIPT ${literal(script)}`);
  }

  /** §2.8 SETACTIVE; the empty name deactivates every script. */
  async setActive(name: string): Promise<void> {
    await this.#command("SETACTIVE", `SETACTIVE ${sieveString(name)}`);
  }

  /** §2.10 DELETESCRIPT (the active script cannot be deleted). */
  async deleteScript(name: string): Promise<void> {
    await this.#command("DELETESCRIPT", `DELETESCRIPT ${sieveString(name)}`);
  }

  /** §2.5 HAVESPACE: false when the server says the script would be over quota. */
  async haveSpace(name: string, size: number): Promise<boolean> {
    try {
      await this.#command("HAVESPACE", `HAVESPACE ${sieveString(name)} ${size}`);
      return true;
    } catch (err) {
      if (err instanceof BridgeError && err.cause instanceof SieveCommandError) {
        const code = err.cause.response.code ?? "";
        if (code.startsWith("QUOTA")) return false;
      }
      throw err;
    }
  }

  /** §2.3 LOGOUT, then the connection closes. Never rejects. */
  async logout(): Promise<void> {
    try {
      await this.#command("LOGOUT", "LOGOUT");
    } catch {
      // closing anyway
    }
    this.close();
  }

  close(): void {
    this.#fail(new Error("closed"));
    this.#socket.destroy();
  }

  #setCapabilities(r: SieveResponse): void {
    this.capabilities = new Map();
    for (const line of r.lines) {
      const name = line[0];
      if (name?.kind !== "string") continue;
      const value = line[1];
      this.capabilities.set(name.value.toUpperCase(), value?.kind === "string" ? value.value : "");
    }
  }

  async #startTls(target: SieveTarget, opts: SieveOptions): Promise<void> {
    const plain = this.#socket as Socket;
    plain.removeAllListeners("data");
    const ip = isIP(target.host) !== 0;
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const timer = setTimeout(() => {
        plain.destroy();
        reject(unavailable("The filter server's TLS handshake timed out."));
      }, this.#timeoutMs);
      const s = tlsConnect({
        socket: plain,
        host: target.host,
        ...(ip ? {} : { servername: target.host }),
        minVersion: "TLSv1.2",
        ...(opts.ca === undefined ? {} : { secureContext: trustContext(opts.ca) }),
      });
      s.once("secureConnect", () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once("error", (err) => {
        clearTimeout(timer);
        reject(unavailable("The filter server's certificate could not be verified.", err));
      });
    });
    this.#socket = secure;
    this.#buf = Buffer.alloc(0);
    this.#listen(secure);
  }

  #listen(socket: Socket | TLSSocket): void {
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (err) =>
      this.#fail(unavailable("The connection to the filter server failed.", err)),
    );
    socket.on("close", () => this.#fail(unavailable("The filter server closed the connection.")));
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#responseBytes += chunk.length;
    if (this.#responseBytes > this.#maxResponse) {
      this.#fail(unavailable("The filter server sent more than Ferry reads."));
      this.#socket.destroy();
      return;
    }
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    this.#armTimer();
    for (;;) {
      const pending = this.#pending;
      if (!pending) return;
      let parsed: ReturnType<typeof parseLine>;
      try {
        parsed = parseLine(this.#buf, this.#maxResponse);
      } catch {
        this.#fail(unavailable("The filter server sent something that is not ManageSieve."));
        this.#socket.destroy();
        return;
      }
      if (!parsed) return;
      this.#buf = this.#buf.subarray(parsed.used);
      const status = statusOf(parsed.tokens);
      if (!status) {
        pending.lines.push(parsed.tokens);
        continue;
      }
      this.#pending = null;
      this.#clearTimer();
      this.#responseBytes = this.#buf.length;
      pending.resolve({ ...status, lines: pending.lines });
    }
  }

  #armTimer(): void {
    this.#clearTimer();
    if (!this.#pending) return;
    this.#timer = setTimeout(() => {
      this.#fail(unavailable("The filter server stopped answering."));
      this.#socket.destroy();
    }, this.#timeoutMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fail(err: Error): void {
    this.#clearTimer();
    this.#closed ??= err;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(err);
  }

  /** Waits for the next complete response (data lines and its OK/NO/BYE). */
  #response(what: string): Promise<SieveResponse> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<SieveResponse>((resolve, reject) => {
      this.#pending = { resolve, reject, lines: [] };
      this.#armTimer();
      // bytes that arrived before this wait (e.g. the greeting) are parsed now
      this.#onData(Buffer.alloc(0));
    }).then((r) => {
      if (r.status !== "OK") throw refused(what, r);
      return r;
    });
  }

  /** Sends one command and waits for its response; a NO or BYE rejects. */
  #command(name: string, line: string): Promise<SieveResponse> {
    const run = async (): Promise<SieveResponse> => {
      if (this.#closed) throw this.#closed;
      const done = this.#response(name);
      this.#socket.write(`${line}\r\n`);
      return done;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

function unavailable(message: string, cause?: unknown): BridgeError {
  return new BridgeError("sieve_unavailable", message, cause === undefined ? {} : { cause });
}

function refused(command: string, r: SieveStatus): BridgeError {
  const cause = new SieveCommandError(command, r);
  if (r.status === "BYE") return unavailable("The filter server ended the connection.", cause);
  if (command === "CHECKSCRIPT" || command === "PUTSCRIPT") {
    const reason = cleanReason(r.text);
    return new BridgeError(
      "script_rejected",
      reason ? `The server rejected the rules: ${reason}` : "The server rejected the rules.",
      { cause },
    );
  }
  return new BridgeError("server_refused", `The filter server refused ${command}.`, { cause });
}
