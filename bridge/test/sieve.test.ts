/**
 * The ManageSieve client and the rules service against the real Pigeonhole of the fixture:
 * sign-in only after STARTTLS with the certificate verified, the script commands, a server that
 * is down or offers no STARTTLS, a rejected script leaving the active one untouched, a foreign
 * active script surviving a save, and generated scripts with hostile values accepted by the
 * server's CHECKSCRIPT and read back as exactly the rules given.
 */
import { createServer, type Server } from "node:net";
import { type MailServer, startMailServer } from "@ferry/mail-server";
import { FERRY_SCRIPT_NAME, type TRuleSet, ZRuleSet } from "@ferry/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log";
import { SieveClient } from "../src/sieve/client";
import { generateScript, parseScriptHeader } from "../src/sieve/script";
import { RulesService } from "../src/sieve/service";

let mail: MailServer;
const servers: Server[] = [];

beforeAll(async () => {
  mail = await startMailServer({ postfix: false });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await mail?.stop();
});

function open(email = "alice@example.test") {
  const user = mail.user(email);
  return SieveClient.open(
    { host: mail.sieve.host, port: mail.sieve.port },
    { user: user.email, password: user.password },
    { ca: mail.ca, timeoutMs: 5000 },
  );
}

function service(email: string) {
  const user = mail.user(email);
  return new RulesService({
    config: {
      sieve: { host: mail.sieve.host, port: mail.sieve.port },
      ca: mail.ca,
      allowPrivateHosts: false,
      connectTimeoutMs: 5000,
    },
    access: async () => ({
      email: user.email,
      imap: { host: mail.sieve.host, port: mail.imap.tlsPort, security: "tls" },
      imapUserNamed: false,
      password: () => user.password,
    }),
    log: createLogger("silent"),
  });
}

async function fakeServer(onData: (line: string) => void, greeting: string): Promise<number> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.write(greeting);
    socket.on("data", (d) => {
      onData(d.toString());
      socket.write('OK "fine"\r\n');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

describe("ManageSieve client against Pigeonhole", () => {
  it("signs in over STARTTLS and runs every script command", async () => {
    const client = await open();
    expect(client.capabilities.get("SIEVE")).toMatch(/\bvacation\b/);
    // after STARTTLS the server offers PLAIN: before it, it offered no mechanism at all
    expect(client.capabilities.get("SASL")).toMatch(/PLAIN/);
    expect(client.capabilities.has("STARTTLS")).toBe(false);
    const text =
      'require ["fileinto"];\r\n# é "quoted" \\ {3}\r\nif header :contains "subject" "x" { fileinto "A"; }\r\n';
    await client.checkScript(text);
    expect(await client.haveSpace("one", Buffer.byteLength(text))).toBe(true);
    await client.putScript("one", text);
    await client.putScript("two name", "keep;\r\n");
    await client.setActive("one");
    expect(await client.listScripts()).toEqual(
      expect.arrayContaining([
        { name: "one", active: true },
        { name: "two name", active: false },
      ]),
    );
    expect(await client.getScript("one")).toBe(text);
    await client.deleteScript("two name");
    await client.setActive("");
    await client.deleteScript("one");
    expect(await client.listScripts()).toEqual([]);
    await client.logout();
  });

  it("passes on the server's reason for a rejected script; the active script stays", async () => {
    const client = await open();
    await client.putScript("good", "keep;\r\n");
    await client.setActive("good");
    const bad = 'require ["fileinto"];\r\nfileinto "A" "B" "C";\r\n';
    const err = await client.checkScript(bad).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "script_rejected" });
    expect((err as Error).message).toMatch(/The server rejected the rules: .*fileinto/i);
    await expect(client.putScript("good", bad)).rejects.toMatchObject({ code: "script_rejected" });
    expect(await client.listScripts()).toEqual([{ name: "good", active: true }]);
    expect(await client.getScript("good")).toBe("keep;\r\n");
    await client.setActive("");
    await client.deleteScript("good");
    await client.logout();
  });

  it("refuses a wrong password with sieve_unavailable", async () => {
    await expect(
      SieveClient.open(
        { host: mail.sieve.host, port: mail.sieve.port },
        { user: "alice@example.test", password: "wrong" },
        { ca: mail.ca, timeoutMs: 5000 },
      ),
    ).rejects.toMatchObject({ code: "sieve_unavailable" });
  });

  it("does not trust the server's certificate without the fixture's CA", async () => {
    const user = mail.user("alice@example.test");
    await expect(
      SieveClient.open(
        { host: mail.sieve.host, port: mail.sieve.port },
        { user: user.email, password: user.password },
        { timeoutMs: 5000 },
      ),
    ).rejects.toMatchObject({ code: "sieve_unavailable", message: /certificate/ });
  });

  it("never sends credentials to a server that offers no STARTTLS", async () => {
    const received: string[] = [];
    const port = await fakeServer(
      (line) => received.push(line),
      '"IMPLEMENTATION" "fake"\r\n"SASL" "PLAIN"\r\n"VERSION" "1.0"\r\nOK "ready"\r\n',
    );
    await expect(
      SieveClient.open(
        { host: "127.0.0.1", port },
        { user: "alice", password: "secret-never-sent" },
        { timeoutMs: 3000 },
      ),
    ).rejects.toMatchObject({ code: "sieve_unavailable", message: /STARTTLS/ });
    expect(received.join("")).not.toMatch(/AUTHENTICATE|secret|AGFsaWNl/);
  });

  it("gives up on a server that stops answering, and on one that is down", async () => {
    const silent = await fakeServer(() => {}, "");
    await expect(
      SieveClient.open(
        { host: "127.0.0.1", port: silent },
        { user: "a", password: "b" },
        { timeoutMs: 300 },
      ),
    ).rejects.toMatchObject({ code: "sieve_unavailable" });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    await expect(
      SieveClient.open(
        { host: "127.0.0.1", port },
        { user: "a", password: "b" },
        { timeoutMs: 3000 },
      ),
    ).rejects.toMatchObject({ code: "sieve_unavailable" });
  });

  it("stops reading a response larger than its cap", async () => {
    const big = `"IMPLEMENTATION" {${4 * 1024 * 1024}}\r\n${"x".repeat(4 * 1024 * 1024)}\r\nOK "ready"\r\n`;
    const port = await fakeServer(() => {}, big);
    await expect(
      SieveClient.open(
        { host: "127.0.0.1", port },
        { user: "a", password: "b" },
        { timeoutMs: 3000, maxResponseBytes: 64 * 1024 },
      ),
    ).rejects.toMatchObject({ code: "sieve_unavailable" });
  });
});

describe("rules service", () => {
  const rules: TRuleSet = ZRuleSet.parse({
    rules: [
      {
        id: "r1",
        name: "Receipts",
        conditions: [{ field: "from", match: "contains", value: "shop@example.net" }],
        actions: [{ type: "move", folder: "Receipts" }, { type: "mark-read" }],
      },
    ],
    vacation: { enabled: false, subject: "", message: "" },
  });

  it("keeps a foreign active script active through a save, until the user switches", async () => {
    const email = "bob@example.test";
    const foreignText =
      'require ["fileinto"];\r\nif header :contains "subject" "old" { fileinto "Old"; }\r\n';
    const client = await open(email);
    await client.putScript("roundcube", foreignText);
    await client.setActive("roundcube");
    await client.logout();

    const rulesService = service(email);
    const before = await rulesService.get("key");
    expect(before.foreign).toEqual({ name: "roundcube", script: foreignText, truncated: false });
    expect(before.rules).toEqual([]);

    const saved = await rulesService.save("key", email, rules);
    expect(saved.active).toBe(false);
    expect(saved.foreign?.name).toBe("roundcube");
    expect(saved.rules).toEqual(rules.rules);

    const switched = await rulesService.activate("key", FERRY_SCRIPT_NAME);
    expect(switched.active).toBe(true);
    expect(switched.foreign).toBeNull();
    // the other script is kept, unchanged
    const check = await open(email);
    expect(await check.getScript("roundcube")).toBe(foreignText);
    await check.logout();
  });

  it("activates Ferry's script when no other is active", async () => {
    const email = "alice@example.test";
    const saved = await service(email).save("key", email, rules);
    expect(saved).toMatchObject({ active: true, foreign: null, unreadable: false });
    expect(saved.scripts).toContain(FERRY_SCRIPT_NAME);
  });
});

const COMMANDS = /\b(fileinto|redirect|discard|stop|addflag|vacation|keep|reject)\b/g;

/** The script with quoted strings emptied and comments removed (RFC 5228 §2.3, §2.4.2). */
function skeleton(script: string): string {
  let out = "";
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '"') {
      for (i++; i < script.length && script[i] !== '"'; i++) if (script[i] === "\\") i++;
      out += '""';
    } else if (c === "#") {
      while (i < script.length && script[i] !== "\n") i++;
    } else out += c;
  }
  return out;
}

/** Text with the characters that could break out of a Sieve string or comment. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"',
        "\\",
        "\r",
        "\n",
        "\r\n",
        "\0",
        "*/",
        "/*",
        "#",
        ";",
        "}",
        "{",
        // encoded-character (RFC 5228 §2.4.2.4) is never required, so this stays text
        "$" + "{hex:41}",
        "é",
        "😀",
        "text:",
        "\r\n.\r\n",
        "stop;",
        "\t",
      ),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: "grapheme", maxLength: 4 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

const folder = hostile.filter((s) => s.length > 0 && s.length <= 200);
const address = fc.constantFrom(
  "a@example.net",
  "o'brien+x@example.org",
  "z@xn--bcher-kva.example",
);
const match = fc.constantFrom("contains", "is", "matches");

const condition = fc.oneof(
  fc.record({
    field: fc.constantFrom("from", "to", "subject", "list-id"),
    match,
    value: hostile,
    not: fc.boolean(),
  }),
  fc.record({
    field: fc.constant("header"),
    name: fc.stringMatching(/^[!-9;-~]{1,20}$/),
    match,
    value: hostile,
    not: fc.boolean(),
  }),
  fc.record({
    field: fc.constant("size"),
    over: fc.boolean(),
    bytes: fc.nat(10_000_000),
    not: fc.boolean(),
  }),
  fc.record({ field: fc.constant("attachment"), not: fc.boolean() }),
);

const action = fc.oneof(
  fc.record({ type: fc.constantFrom("move", "copy"), folder }),
  fc.record({ type: fc.constantFrom("mark-read", "star", "delete", "stop") }),
  fc.record({
    type: fc.constant("keyword"),
    keyword: fc.stringMatching(/^[A-Za-z$][A-Za-z0-9_$-]{0,20}$/),
  }),
  fc.record({ type: fc.constant("forward"), address, keepCopy: fc.boolean() }),
);

const day = fc
  .date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const ruleSet = fc.record({
  rules: fc.array(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 10 }),
      name: hostile.map((s) => s.slice(0, 200)),
      enabled: fc.boolean(),
      match: fc.constantFrom("all", "any"),
      conditions: fc.array(condition, { minLength: 1, maxLength: 3 }),
      actions: fc.array(action, { minLength: 1, maxLength: 3 }),
    }),
    { maxLength: 4 },
  ),
  vacation: fc.record({
    enabled: fc.boolean(),
    start: fc.option(day, { nil: null }),
    end: fc.option(day, { nil: null }),
    subject: hostile,
    message: hostile,
    addresses: fc.array(address, { maxLength: 2 }),
    days: fc.integer({ min: 1, max: 365 }),
  }),
});

describe("generated scripts", () => {
  it("round-trip every field through the header, exactly", () => {
    fc.assert(
      fc.property(ruleSet, (raw) => {
        const set = ZRuleSet.parse(raw);
        expect(parseScriptHeader(generateScript(set, "alice@example.test"))).toEqual(set);
      }),
      { numRuns: 300 },
    );
  });

  it("with hostile values pass the server's CHECKSCRIPT and inject no command", async () => {
    const client = await open();
    try {
      await fc.assert(
        fc.asyncProperty(ruleSet, async (raw) => {
          const set = ZRuleSet.parse(raw);
          const script = generateScript(set, "alice@example.test");
          await client.checkScript(script);
          // with every string and comment blanked out, the commands left are exactly those the
          // rules ask for: no value ended its string early
          const commands = skeleton(script).match(COMMANDS) ?? [];
          const enabled = set.rules.filter((r) => r.enabled);
          const expected =
            enabled.reduce((n, r) => n + r.actions.length, 0) + (set.vacation.enabled ? 1 : 0);
          expect(commands.length).toBe(expected);
          expect(parseScriptHeader(script)).toEqual(set);
        }),
        { numRuns: 40 },
      );
    } finally {
      await client.logout();
    }
  });
});
