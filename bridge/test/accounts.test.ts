/**
 * Per-account state and sign-in throttling through the real bridge and Dovecot.
 *
 * Identities: two IMAP servers (two fixtures) each have an account alice@example.test, with
 * different passwords, as when someone runs a server that says yes to any address. What one
 * saves (identities, and so the From addresses it may send as) the other neither sees nor
 * replaces.
 *
 * Throttling: a bridge behind a trusted proxy (X-Forwarded-For gives the client address). A
 * guesser failing from one network only slows itself down; the owner signs in from another
 * network at once. Addresses of one IPv6 /64 count as one network.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMailServer } from "@ferry/mail-server";
import { type TComposeDraftInput, ZHttpError } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  imapTargetOf,
  type MailServer,
  signIn,
  smtpEnv,
  socketSignedIn,
  startBridge,
  type TestBridge,
  type TestSocket,
} from "./harness";

let home: MailServer;
let impostorServer: MailServer;
const bridges: TestBridge[] = [];
const sockets: TestSocket[] = [];
let seq = 0;
const nextId = () => `acc${++seq}`;

const ALICE = "alice@example.test";
const IMPOSTOR_PASSWORD = "any-password-will-do";

beforeAll(async () => {
  [home, impostorServer] = await Promise.all([
    startMailServer(),
    startMailServer({ users: [{ email: ALICE, password: IMPOSTOR_PASSWORD }], postfix: false }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all([home?.stop(), impostorServer?.stop()]);
});

const socketAs = (b: TestBridge, body: unknown) => socketSignedIn(b, body, sockets);

function draft(from: string): TComposeDraftInput {
  return {
    from: { name: "", address: from },
    to: [{ name: "Bob", address: "bob@example.test" }],
    subject: `Identity check ${seq}`,
    text: "Hello",
  };
}

/** Queues a send far in the future and takes it back: the reply says whether From was allowed. */
async function tryFrom(s: TestSocket, from: string): Promise<string> {
  const reply = await s.request({
    type: "compose.send",
    id: nextId(),
    draft: draft(from),
    delaySeconds: 30,
  });
  if (reply.type === "compose.queued") {
    const cancelled = await s.request({
      type: "compose.cancel",
      id: nextId(),
      sendId: reply.sendId,
    });
    expect(cancelled.type).toBe("compose.cancelled");
    return "allowed";
  }
  expect(reply).toMatchObject({ type: "error", code: "bad_request", message: /From address/ });
  return "refused";
}

describe("per-account state: the same address on two IMAP servers", () => {
  it("keeps identities apart, and a From allowed for one is refused for the other", async () => {
    const caFile = join(tmpdir(), `ferry-two-cas-${process.pid}.pem`);
    writeFileSync(caFile, `${home.ca}\n${impostorServer.ca}\n`);
    const b = await startBridge(null, {
      env: {
        FERRY_CA_FILE: caFile,
        FERRY_IMAP_PORTS: `${home.imap.tlsPort},${impostorServer.imap.tlsPort}`,
        ...smtpEnv(home),
      },
      config: { allowPrivateHosts: true },
    });
    bridges.push(b);
    const owner = await socketAs(b, { ...home.user(ALICE), imap: imapTargetOf(home) });
    const impostor = await socketAs(b, {
      email: ALICE,
      password: IMPOSTOR_PASSWORD,
      imap: imapTargetOf(impostorServer),
    });

    const work = {
      id: "work",
      name: "Alice at Work",
      address: "alice.work@example.test",
      signature: "-- \nAlice",
    };
    const saved = await owner.request({
      type: "identities.save",
      id: nextId(),
      identities: [work],
    });
    expect(saved).toMatchObject({ type: "identities", identities: [work] });

    // the other server's alice sees none of it
    const seen = await impostor.request({ type: "identities.list", id: nextId() });
    expect(seen).toMatchObject({ type: "identities", identities: [] });
    expect(await tryFrom(impostor, work.address)).toBe("refused");
    expect(await tryFrom(owner, work.address)).toBe("allowed");

    // and cannot replace it: its save is its own
    const ceo = { id: "ceo", name: "The CEO", address: "ceo@example.test", signature: "" };
    await impostor.request({ type: "identities.save", id: nextId(), identities: [ceo] });
    const still = await owner.request({ type: "identities.list", id: nextId() });
    expect(still).toMatchObject({ type: "identities", identities: [work] });
    expect(await tryFrom(owner, ceo.address)).toBe("refused");
    expect(await tryFrom(impostor, ceo.address)).toBe("allowed");
    await impostor.request({ type: "identities.save", id: nextId(), identities: [] });
    expect(await owner.request({ type: "identities.list", id: nextId() })).toMatchObject({
      identities: [work],
    });

    // the owner's second session (another device) shares the owner's identities
    const again = await socketAs(b, { ...home.user(ALICE), imap: imapTargetOf(home) });
    expect(await again.request({ type: "identities.list", id: nextId() })).toMatchObject({
      identities: [work],
    });
  });
});

describe("sign-in throttling by account and client network", () => {
  async function proxied(config: Parameters<typeof startBridge>[1] = {}) {
    const b = await startBridge(home, { env: { FERRY_TRUST_PROXY: "true" }, ...config });
    bridges.push(b);
    const from = (ip: string, body: unknown) =>
      signIn(b, body, { "x-forwarded-for": `203.0.113.250, ${ip}` });
    return { b, from };
  }

  it("a guesser failing from one network does not keep the owner out from another", async () => {
    // The guesser's wait outlasts the owner's two sign-ins however slow the machine (with the
    // default 1 s it once ran out first, at load ~20, and the last guess got through).
    const { from } = await proxied({ config: { loginBaseDelayMs: 30_000 } });
    const alice = home.user(ALICE);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await from("198.51.100.7", { email: ALICE, password: `guess-${i}` });
      statuses.push(r.status);
    }
    // the guesser is slowed down: after the allowed failures, each try must wait
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    const slowed = await from("198.51.100.7", alice);
    expect(slowed.status).toBe(429);
    const err = ZHttpError.parse(slowed.body).error;
    expect(err.code).toBe("too_many_attempts");
    expect(err.retryAfter).toBeGreaterThan(0);
    expect(err.retryAfter).toBeLessThanOrEqual(60);

    // the owner, elsewhere (IPv4, then IPv6), gets in at once
    expect((await from("192.0.2.44", alice)).status).toBe(200);
    expect((await from("2001:db8:aaaa:1::5", alice)).status).toBe(200);
    // and the guesser is still held back
    expect((await from("198.51.100.7", { email: ALICE, password: "guess-x" })).status).toBe(429);
  });

  it("counts the addresses of one IPv6 /64 as one network", async () => {
    const { from } = await proxied({ config: { loginFailuresPerIp: 6 } });
    for (let i = 1; i <= 6; i++) {
      const r = await from(`2001:db8:bad:1::${i.toString(16)}`, {
        email: `nobody${i}@example.test`,
        password: "wrong",
      });
      expect(r.status).toBe(401);
    }
    // a fresh address in the same /64, a fresh account: still the same network
    const r = await from("2001:db8:bad:1:ffff::77", home.user(ALICE));
    expect(r.status).toBe(429);
    // the next /64 is another network
    expect((await from("2001:db8:bad:2::1", home.user(ALICE))).status).toBe(200);
  });
});
