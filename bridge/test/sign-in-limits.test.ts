/**
 * What sign-in refuses before or regardless of the password: user-named servers on ports the
 * administrator did not list (the bridge is no port scanner), one answer for every way a
 * user-named server can fail to be a mail server, and caps on sessions per account and per
 * client network (IPv6 by /64).
 */

import { readFile } from "node:fs/promises";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { startMailServer } from "@ferry/mail-server";
import { ZHttpError } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../src/config";
import { type MailServer, signIn, startBridge, type TestBridge } from "./harness";

const ALICE = { email: "alice@example.test", password: "alice-Pa55word-7f3" };
const BOB = { email: "bob@example.test", password: "bob-Pa55word-91c" };

let mail: MailServer;
const bridges: TestBridge[] = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  mail = await startMailServer({ users: [ALICE, BOB], postfix: false });
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(bridges.map((b) => b.close()));
  await mail?.stop();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function userNamedBridge(config: Partial<Config>) {
  const b = await startBridge(mail, {
    env: { FERRY_IMAP_HOST: "", FERRY_IMAP_PORT: "", FERRY_IMAP_SECURITY: "" },
    config: { allowPrivateHosts: true, loginFailuresPerIp: 1000, ...config },
  });
  bridges.push(b);
  return b;
}

function error(body: unknown) {
  return ZHttpError.parse(body).error;
}

const at = (port: number) => ({ host: "127.0.0.1", port, security: "tls" });

describe("user-named server ports", () => {
  it("are refused outside the allowed list, before any connection is made", async () => {
    let reached = 0;
    const port = await listen(createTcpServer(() => (reached += 1)));
    const b = await userNamedBridge({ imapPorts: [993, 143] });
    const r = await signIn(b, { ...ALICE, imap: at(port) });
    expect(r.status).toBe(403);
    expect(error(r.body).code).toBe("server_not_allowed");
    expect(error(r.body).message).toContain("993, 143");
    const smtp = await signIn(b, {
      ...ALICE,
      imap: at(993),
      smtp: { host: "127.0.0.1", port, security: "tls" },
    });
    expect(error(smtp.body).code).toBe("server_not_allowed");
    expect(reached).toBe(0);
  });

  it("answer a closed port, a failed TLS handshake and a non-IMAP server alike", async () => {
    const closed = await closedPort();
    // Plain text where TLS was expected: the handshake fails.
    const plain = await listen(createTcpServer((s) => s.end("* OK plain text\r\n")));
    // TLS with a trusted certificate, but no IMAP behind it.
    const [key, cert] = await Promise.all([
      readFile(join(mail.dir, "tls", "server.key")),
      readFile(join(mail.dir, "tls", "server.pem")),
    ]);
    const notImap = await listen(
      createTlsServer({ key, cert }, (s) => s.end("HTTP/1.1 400 Bad Request\r\n\r\n")),
    );
    const b = await userNamedBridge({
      imapPorts: [closed, plain, notImap, mail.imap.tlsPort],
    });
    const answers = [];
    for (const port of [closed, plain, notImap]) {
      const r = await signIn(b, { ...ALICE, imap: at(port) });
      answers.push({ status: r.status, ...error(r.body) });
    }
    expect(answers[0]?.code).toBe("host_unreachable");
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // After a real greeting over verified TLS, a wrong password is told apart.
    const wrong = await signIn(b, {
      email: ALICE.email,
      password: "wrong-password-x1",
      imap: at(mail.imap.tlsPort),
    });
    expect(error(wrong.body).code).toBe("auth_failed");
  });
});

describe("session caps", () => {
  it("refuse one more session of an account, until one signs out", async () => {
    const b = await userNamedBridge({ imapPorts: [mail.imap.tlsPort], sessionsPerAccount: 2 });
    const imap = at(mail.imap.tlsPort);
    const first = await signIn(b, { ...ALICE, imap });
    const second = await signIn(b, { ...ALICE, imap });
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await signIn(b, { ...ALICE, imap });
    expect(third.status).toBe(429);
    expect(error(third.body).code).toBe("too_many_sessions");
    // another account is not affected
    expect((await signIn(b, { ...BOB, imap })).status).toBe(200);
    await fetch(`${b.url}/api/session`, {
      method: "DELETE",
      headers: { cookie: first.cookie as string, origin: b.origin },
    });
    expect((await signIn(b, { ...ALICE, imap })).status).toBe(200);
  });

  it("count a client's IPv6 addresses by /64", async () => {
    const b = await userNamedBridge({
      imapPorts: [mail.imap.tlsPort],
      sessionsPerClient: 2,
      trustProxy: true,
    });
    const imap = at(mail.imap.tlsPort);
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    expect((await signIn(b, { ...ALICE, imap }, from("2001:db8:1:2::1"))).status).toBe(200);
    expect((await signIn(b, { ...BOB, imap }, from("2001:db8:1:2::ffff"))).status).toBe(200);
    const third = await signIn(b, { ...ALICE, imap }, from("2001:db8:1:2:abcd::7"));
    expect(third.status).toBe(429);
    expect(error(third.body).code).toBe("too_many_sessions");
    expect((await signIn(b, { ...ALICE, imap }, from("2001:db8:1:3::1"))).status).toBe(200);
  });
});
