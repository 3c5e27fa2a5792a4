/** End-to-end tests of the fixture against the real Dovecot and Postfix (no mocks). */
import { lstat, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureImapOptions } from "./imap-options";
import { MAIL_UID, type MailServer, postfixAlternateConfigDirs, startMailServer } from "./index";
import { descendants, isAlive, waitFor } from "./proc";

let server: MailServer;

beforeAll(async () => {
  server = await startMailServer();
});

afterAll(async () => {
  await server?.stop();
});

function imapOptions(email: string, overrides: Partial<ImapFlowOptions> = {}): ImapFlowOptions {
  return fixtureImapOptions(server, server.user(email), overrides);
}

async function withImap<T>(email: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow(imapOptions(email));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function inboxCount(email: string): Promise<number> {
  return withImap(email, async (client) => {
    const status = await client.status("INBOX", { messages: true });
    return status ? (status.messages ?? 0) : 0;
  });
}

async function waitForInbox(email: string, count: number): Promise<void> {
  await waitFor(
    `${count} message(s) in ${email}'s INBOX`,
    async () => {
      return (await inboxCount(email)) >= count;
    },
    15_000,
  );
}

function subjects(email: string, mailbox = "INBOX"): Promise<string[]> {
  return withImap(email, async (client) => {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const out: string[] = [];
      for await (const msg of client.fetch("1:*", { envelope: true })) {
        out.push(msg.envelope?.subject ?? "");
      }
      return out;
    } finally {
      lock.release();
    }
  });
}

function smtp(auth?: { user: string; pass: string }, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: server.host,
    port: server.submissionPort,
    secure: false,
    requireTLS: true,
    tls: { ca: server.ca },
    ...(auth ? { auth } : {}),
    ...extra,
  });
}

/** Reads IMAP lines from a plain socket until `done` matches the accumulated text. */
function rawImap(host: string, port: number, commands: string[], done: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let text = "";
    let sent = false;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (!sent && text.includes("\r\n")) {
        sent = true;
        socket.write(commands.map((c) => `${c}\r\n`).join(""));
      }
      if (done.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}

describe("IMAP", () => {
  it("serves implicit TLS verified by the fixture CA, with the special-use folders", async () => {
    const list = await withImap("alice@example.test", (client) => client.list());
    const specialUse = Object.fromEntries(list.map((m) => [m.path, m.specialUse ?? ""]));
    expect(specialUse).toMatchObject({
      INBOX: "\\Inbox",
      Drafts: "\\Drafts",
      Sent: "\\Sent",
      Trash: "\\Trash",
      Junk: "\\Junk",
      Archive: "\\Archive",
    });
    expect(list.filter((m) => m.path !== "INBOX").every((m) => m.subscribed)).toBe(true);
  });

  it("advertises the extensions the bridge relies on", async () => {
    const caps = await withImap("alice@example.test", async (client) => [
      ...client.capabilities.keys(),
    ]);
    for (const cap of [
      "CONDSTORE",
      "QRESYNC",
      "SORT",
      "LIST-STATUS",
      "SPECIAL-USE",
      "IDLE",
      "NOTIFY",
      "PREVIEW",
      "MOVE",
      "UIDPLUS",
    ]) {
      expect(caps).toContain(cap);
    }
  });

  it("fails TLS verification for clients that don't trust the fixture CA", async () => {
    const error = await new Promise<Error>((resolve) => {
      const socket = tlsConnect({ host: server.host, port: server.imap.tlsPort });
      socket.once("secureConnect", () => {
        socket.destroy();
        resolve(new Error("connected"));
      });
      socket.once("error", resolve);
    });
    expect((error as NodeJS.ErrnoException).code).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER|SELF_SIGNED/,
    );
  });

  it("logs in over STARTTLS", async () => {
    const client = new ImapFlow(
      imapOptions("bob@example.test", {
        host: server.imap.starttlsHost,
        port: server.imap.starttlsPort,
        secure: false,
        doSTARTTLS: true,
      }),
    );
    await client.connect();
    expect(client.secureConnection).toBe(true);
    expect(client.authenticated).toBeTruthy();
    await client.logout();
  });

  it("refuses login on the plain port before STARTTLS (LOGINDISABLED)", async () => {
    const bob = server.user("bob@example.test");
    const text = await rawImap(
      server.imap.starttlsHost,
      server.imap.starttlsPort,
      [`a LOGIN ${bob.email} ${bob.password}`],
      /^a (OK|NO|BAD)/m,
    );
    expect(text).toMatch(/LOGINDISABLED/);
    expect(text).toMatch(/^a NO /m);
  });

  it("refuses a wrong password", async () => {
    const client = new ImapFlow(
      imapOptions("alice@example.test", {
        auth: { user: "alice@example.test", pass: "wrong" },
      }),
    );
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
  });
});

describe("delivery", () => {
  it("delivers over LMTP into the INBOX", async () => {
    const before = await inboxCount("alice@example.test");
    await server.deliver(
      "From: carol@example.org\nTo: alice@example.test\nSubject: over lmtp\n\n.leading dot\n",
      { from: "carol@example.org", to: ["alice@example.test"] },
    );
    expect(await inboxCount("alice@example.test")).toBe(before + 1);
    expect(await subjects("alice@example.test")).toContain("over lmtp");
  });

  it("rejects LMTP delivery to unknown users", async () => {
    await expect(
      server.deliver("Subject: x\n\nx\n", { from: "a@example.org", to: ["nobody@example.test"] }),
    ).rejects.toThrow(/550/);
  });

  it("delivers mail submitted with AUTH from alice to bob's INBOX", async () => {
    const alice = server.user("alice@example.test");
    const before = await inboxCount("bob@example.test");
    const info = await smtp({ user: alice.email, pass: alice.password }).sendMail({
      from: alice.email,
      to: "bob@example.test",
      subject: "via submission",
      text: "hello bob",
    });
    expect(info.accepted).toEqual(["bob@example.test"]);
    await waitForInbox("bob@example.test", before + 1);
    expect(await subjects("bob@example.test")).toContain("via submission");
  });

  it("refuses submission without AUTH, even to a local user", async () => {
    await expect(
      smtp().sendMail({ from: "x@example.org", to: "bob@example.test", text: "spam" }),
    ).rejects.toMatchObject({ responseCode: 554 });
  });

  it("refuses relaying to an external domain without AUTH", async () => {
    await expect(
      smtp().sendMail({ from: "x@example.org", to: "someone@example.com", text: "relay" }),
    ).rejects.toMatchObject({ responseCode: 554 });
  });

  it("refuses a wrong SMTP password", async () => {
    await expect(
      smtp({ user: "alice@example.test", pass: "wrong" }).sendMail({
        from: "alice@example.test",
        to: "bob@example.test",
        text: "x",
      }),
    ).rejects.toMatchObject({ responseCode: 535 });
  });

  it("does not offer AUTH before STARTTLS", async () => {
    const alice = server.user("alice@example.test");
    const transport = smtp(
      { user: alice.email, pass: alice.password },
      { requireTLS: false, ignoreTLS: true },
    );
    await expect(
      transport.sendMail({ from: alice.email, to: "bob@example.test", text: "x" }),
    ).rejects.toThrow();
  });

  it("refuses unknown local recipients at RCPT time", async () => {
    const alice = server.user("alice@example.test");
    await expect(
      smtp({ user: alice.email, pass: alice.password }).sendMail({
        from: alice.email,
        to: "nobody@example.test",
        text: "x",
      }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });

  it("discards authenticated mail to external domains instead of sending it out", async () => {
    const alice = server.user("alice@example.test");
    const info = await smtp({ user: alice.email, pass: alice.password }).sendMail({
      from: alice.email,
      to: "someone@example.com",
      subject: "outbound",
      text: "must not leave",
    });
    expect(info.accepted).toEqual(["someone@example.com"]);
    const log = await waitFor("the discard in the Postfix log", async () => {
      const text = await readFile(server.logs.postfix, "utf8");
      return (
        /to=<someone@example\.com>.*relay=none.*status=sent \(ferry-fixture/.test(text) && text
      );
    });
    expect(log).not.toMatch(/postfix\/smtp\[/);
  });
});

describe("users and maintenance", () => {
  it("adds a user who can log in and receive submitted mail", async () => {
    const dave = await server.addUser("Dave@example.test", "dave-secret");
    expect(dave.email).toBe("dave@example.test");
    expect(server.user("DAVE@example.test")).toBe(dave);
    const alice = server.user("alice@example.test");
    await smtp({ user: alice.email, pass: alice.password }).sendMail({
      from: alice.email,
      to: dave.email,
      subject: "welcome dave",
      text: "hi",
    });
    await waitForInbox(dave.email, 1);
    expect(await subjects(dave.email)).toEqual(["welcome dave"]);
  });

  it("rejects users outside the fixture's domains", async () => {
    await expect(server.addUser("eve@elsewhere.test")).rejects.toThrow(/domain/);
  });

  it("picks up Maildir files written directly after reindex()", async () => {
    const bob = server.user("bob@example.test");
    const archive = join(bob.maildir, ".Archive", "cur");
    await mkdir(archive, { recursive: true });
    const file = join(archive, `${Date.now()}.seed1.fixture:2,S`);
    await writeFile(file, "From: a@example.org\r\nSubject: seeded\r\n\r\nseeded body\r\n");
    expect((await stat(file)).uid).toBe(0);
    await server.reindex(bob.email);
    expect((await lstat(file)).uid).toBe(MAIL_UID);
    expect(await subjects(bob.email, "Archive")).toContain("seeded");
  });

  it("kills a user's IMAP connections", async () => {
    const client = new ImapFlow(imapOptions("alice@example.test"));
    await client.connect();
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await server.killConnections("alice@example.test");
    await closed;
    expect(client.usable).toBe(false);
  });
});

describe("lifecycle", () => {
  it("runs concurrent fixtures independently and stops each cleanly", async () => {
    const [one, two] = await Promise.all([
      startMailServer({ users: [{ email: "zed@one.test", password: "pw" }], domain: "one.test" }),
      startMailServer({ users: [{ email: "zed@two.test", password: "pw" }], domain: "two.test" }),
    ]);
    expect(one.imap.tlsPort).not.toBe(two.imap.tlsPort);
    expect(one.submissionPort).not.toBe(server.submissionPort);
    const configDir = (s: MailServer) => join(s.dir, "postfix", "etc");
    expect(postfixAlternateConfigDirs()).toEqual(
      expect.arrayContaining([configDir(one), configDir(two), configDir(server)]),
    );
    const client = new ImapFlow({
      host: one.host,
      port: one.imap.tlsPort,
      secure: true,
      tls: { ca: one.ca },
      auth: { user: "zed@one.test", pass: "pw" },
      logger: false,
    });
    await client.connect();
    const { dovecot, postfix } = one.pids();
    expect(dovecot).toBeGreaterThan(0);
    expect(postfix).toBeGreaterThan(0);
    const pids = [dovecot ?? 0, postfix ?? 0].flatMap((p) => [p, ...descendants(p)]);
    expect(pids.length).toBeGreaterThan(4);

    await one.stop();
    client.close();

    expect(pids.filter(isAlive)).toEqual([]);
    expect(one.pids()).toEqual({ dovecot: undefined, postfix: undefined });
    await expect(stat(one.dir)).rejects.toMatchObject({ code: "ENOENT" });
    expect(postfixAlternateConfigDirs()).not.toContain(configDir(one));
    expect(postfixAlternateConfigDirs()).toContain(configDir(two));
    await one.stop();

    const zed = new ImapFlow({
      host: two.host,
      port: two.imap.tlsPort,
      secure: true,
      tls: { ca: two.ca },
      auth: { user: "zed@two.test", pass: "pw" },
      logger: false,
    });
    await zed.connect();
    await zed.logout();
    await two.stop();
    expect(postfixAlternateConfigDirs()).not.toContain(configDir(two));
  });

  it("keeps the temp dir with keep: true", async () => {
    const kept = await startMailServer({ keep: true, postfix: false });
    await kept.stop();
    expect((await stat(join(kept.dir, "dovecot.log"))).isFile()).toBe(true);
    await rm(kept.dir, { recursive: true, force: true });
  });
});
