/**
 * Figures 10 and 11: what the state store costs and how fast a user is back after a bridge goes.
 *
 * - **store**: the state store's operations timed one at a time from Node, on the SQLite file
 *   (in a temp dir) and on a throwaway redis-server on loopback (the fixture's): `get`, `set`,
 *   `increment` and a job's claim (`claimDue` of one due job, then `complete`), p50 and p95.
 * - **resume after a restart**: one built bridge on a SQLite file with a fixed session secret,
 *   a user signed in with a socket and a window open; the bridge is stopped (SIGTERM) and a new
 *   one started on the same file. Timed from the new bridge listening to the first window on a
 *   new socket opened with the same cookie (the web app reconnects the same way, no sign-in).
 * - **resume after failover**: two built bridges on one Redis behind nginx (the fixture's
 *   `startFerryProxy`: sticky by session cookie, proxy_next_upstream); the bridge holding the
 *   user is killed (SIGKILL). Timed from the kill to the first window on a socket reopened through
 *   nginx at once (retried at once while nginx still finds no bridge); the killed bridge is then
 *   started again on its port for the next repeat.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRedisStore, SqliteStore, type StateStore } from "@ferry/bridge";
import { freePorts, startFerryProxy, startRedisServer } from "@ferry/mail-server";
import { PROTOCOL_VERSION, socketPath } from "@ferry/protocol";
import { onCleanup } from "../cleanup";
import { type BridgeAddress, ProtocolClient, signIn } from "../client/protocol";
import type { BenchConfig } from "../config";
import { nowMs, progress } from "../progress";
import { errorRow, type Row, row } from "../report";
import { type BridgeProcess, startBridge } from "../stack/bridge";
import type { BenchMail } from "../stack/mail";
import { summarize } from "../stats";
import { fmtMs } from "./context";

const STORE = "10 state store";
const RESUME = "11 resume";

type Op = "get" | "set" | "increment" | "claim";

async function timeOps(store: StateStore, n: number): Promise<Record<Op, number[]>> {
  const out: Record<Op, number[]> = { get: [], set: [], increment: [], claim: [] };
  const value = "x".repeat(600); // about a session record
  for (let i = 0; i < n; i++) {
    let t = nowMs();
    await store.set(`bench:k${i}`, value, { ttlMs: 60_000 });
    out.set.push(nowMs() - t);
    t = nowMs();
    await store.get(`bench:k${i}`);
    out.get.push(nowMs() - t);
    t = nowMs();
    await store.increment("bench:counter", 1, { ttlMs: 60_000 });
    out.increment.push(nowMs() - t);
    await store.schedule({
      queue: "bench",
      id: `j${i}`,
      group: "g",
      payload: "{}",
      dueAt: Date.now() - 1,
    });
    t = nowMs();
    const [job] = await store.claimDue("bench", { limit: 1, leaseMs: 30_000 });
    if (!job) throw new Error("the due job was not claimed");
    await store.complete(job);
    out.claim.push(nowMs() - t);
  }
  return out;
}

function opRows(backend: string, ms: Record<Op, number[]>): Row[] {
  return (Object.keys(ms) as Op[]).flatMap((op) => {
    const us = ms[op].map((x) => x * 1000);
    const what = `${backend} ${op === "claim" ? "claim + complete a job" : op}`;
    const id = `store.${backend.toLowerCase()}.${op}`;
    return [
      row({
        id: `${id}.p50`,
        figure: STORE,
        label: `${what}, p50`,
        side: "bridge",
        unit: "µs",
        stat: "p50",
        value: summarize(us, 50),
        samples: us,
      }),
      row({
        id: `${id}.p95`,
        figure: STORE,
        label: `${what}, p95`,
        side: "bridge",
        unit: "µs",
        stat: "p95",
        value: summarize(us, 95),
      }),
    ];
  });
}

/** Figure 10: per-operation latency of the state store on SQLite and on Redis. */
export async function storeFigure(config: BenchConfig): Promise<Row[]> {
  const n = config.quick ? 200 : 2000;
  const dir = mkdtempSync(join(tmpdir(), "ferry-bench-store-"));
  const rows: Row[] = [];
  const sqlite = new SqliteStore(dir);
  try {
    await timeOps(sqlite, 20); // warm-up
    rows.push(...opRows("SQLite", await timeOps(sqlite, n)));
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const redis = await startRedisServer();
  const unregister = onCleanup({ name: "redis-server", close: () => redis.stop() });
  try {
    const store = await connectRedisStore(redis.url);
    try {
      await timeOps(store, 20);
      rows.push(...opRows("Redis", await timeOps(store, n)));
    } finally {
      await store.close();
    }
  } finally {
    unregister();
    await redis.stop();
  }
  return rows;
}

function addressOf(url: string): BridgeAddress {
  return {
    url,
    origin: url,
    wsUrl: `${url.replace(/^http/, "ws")}${socketPath(PROTOCOL_VERSION)}`,
  };
}

/** Opens a socket with `cookie` and asks for the first window of INBOX. */
async function firstWindow(address: BridgeAddress, cookie: string): Promise<ProtocolClient> {
  const client = await ProtocolClient.open(address, cookie);
  await client.request({ type: "mailbox.open", id: client.id(), path: "INBOX" });
  await client.request({
    type: "list.window",
    id: client.id(),
    mailbox: "INBOX",
    offset: 0,
    limit: 50,
  });
  return client;
}

/** As `firstWindow`, retried at once until it works or `ms` pass (a browser reconnecting). */
async function firstWindowSoon(
  address: BridgeAddress,
  cookie: string,
  ms: number,
): Promise<ProtocolClient> {
  const deadline = nowMs() + ms;
  for (;;) {
    try {
      return await firstWindow(address, cookie);
    } catch (err) {
      if (nowMs() > deadline) throw err;
    }
  }
}

/** Figure 11, first half: a bridge restarted on the same SQLite file. */
async function restartRows(config: BenchConfig, mail: BenchMail): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "ferry-bench-resume-"));
  const env = { FERRY_DATA_DIR: dataDir };
  let bridge: BridgeProcess = await startBridge(config, mail.server, { env });
  const reconnect: number[] = [];
  const outage: number[] = [];
  try {
    const cookie = await signIn(addressOf(bridge.url), mail.reader);
    (await firstWindow(addressOf(bridge.url), cookie)).close();
    for (let i = 0; i < config.repeats + 1; i++) {
      const down = nowMs();
      await bridge.stop();
      bridge = await startBridge(config, mail.server, { env });
      const up = nowMs();
      const client = await firstWindow(addressOf(bridge.url), cookie);
      const done = nowMs();
      client.close();
      if (i === 0) continue; // warm-up
      reconnect.push(done - up);
      outage.push(up - down);
      progress(`  restart ${i}: reconnect → window ${fmtMs(done - up)}`);
    }
  } finally {
    await bridge.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return [
    row({
      id: "resume.restart.window",
      figure: RESUME,
      label: "after a restart: socket reconnect → first window",
      side: "bridge",
      unit: "ms",
      value: summarize(reconnect),
      samples: reconnect,
      note: "the same cookie on a new bridge process over the same SQLite file: no sign-in",
    }),
    row({
      id: "resume.restart.outage",
      figure: RESUME,
      label: "restart itself: SIGTERM → new bridge listening",
      side: "bridge",
      unit: "ms",
      value: summarize(outage),
      samples: outage,
    }),
  ];
}

/** Figure 11, second half: two bridges on Redis behind nginx; the user's bridge is killed. */
async function failoverRows(config: BenchConfig, mail: BenchMail): Promise<Row[]> {
  const redis = await startRedisServer();
  const unregisterRedis = onCleanup({ name: "redis-server", close: () => redis.stop() });
  const [proxyPort = 0, ...ports] = await freePorts(3);
  const origin = `http://127.0.0.1:${proxyPort}`;
  const envOf = (port: number) => ({
    FERRY_PORT: String(port),
    FERRY_REDIS_URL: redis.url,
    FERRY_ALLOWED_ORIGINS: origin,
    FERRY_TRUST_PROXY: "true",
  });
  const bridges = new Map<number, BridgeProcess>();
  const samples: number[] = [];
  try {
    for (const port of ports) {
      bridges.set(port, await startBridge(config, mail.server, { env: envOf(port) }));
    }
    const proxy = await startFerryProxy({
      upstreams: ports.map((p) => `127.0.0.1:${p}`),
      cookie: "ferry_session",
      showUpstream: true,
      port: proxyPort,
    });
    const unregisterProxy = onCleanup({ name: "nginx", close: () => proxy.stop() });
    try {
      const through: BridgeAddress = {
        url: proxy.url,
        origin: proxy.url,
        wsUrl: `${proxy.url.replace(/^http/, "ws")}${socketPath(PROTOCOL_VERSION)}`,
      };
      const cookie = await signIn(through, mail.reader);
      let client = await firstWindowSoon(through, cookie, 15_000);
      for (let i = 0; i < config.repeats + 1; i++) {
        const res = await fetch(`${proxy.url}/api/session`, { headers: { cookie } });
        await res.arrayBuffer();
        const holder = Number(res.headers.get("x-ferry-upstream")?.split(":").at(-1));
        const victim = bridges.get(holder);
        if (!victim) throw new Error(`no bridge on port ${holder}`);
        const killed = nowMs();
        await victim.kill();
        client.close();
        client = await firstWindowSoon(through, cookie, 15_000);
        const resumed = nowMs();
        bridges.set(holder, await startBridge(config, mail.server, { env: envOf(holder) }));
        await rejoined(proxy.url, `127.0.0.1:${holder}`);
        if (i === 0) continue; // warm-up
        samples.push(resumed - killed);
        progress(`  failover ${i}: kill → window on the other bridge ${fmtMs(resumed - killed)}`);
      }
      client.close();
    } finally {
      unregisterProxy();
      await proxy.stop();
    }
  } finally {
    for (const b of bridges.values()) await b.stop();
    unregisterRedis();
    await redis.stop();
  }
  return [
    row({
      id: "resume.failover.window",
      figure: RESUME,
      label: "after failover (nginx, Redis): kill → first window on the other bridge",
      side: "bridge",
      unit: "ms",
      value: summarize(samples),
      samples,
      note: "SIGKILL of the user's bridge; the socket reopened through nginx at once, same cookie",
    }),
  ];
}

/**
 * Waits until nginx sends requests to the bridge at `upstream` again: it skips a bridge for
 * `fail_timeout` (10 s) after a failed connection, and a repeat must not start before both
 * bridges are in use, or its user would find none. Probed with cookies until one lands there.
 */
async function rejoined(proxyUrl: string, upstream: string): Promise<void> {
  const deadline = nowMs() + 30_000;
  for (let k = 0; nowMs() < deadline; k++) {
    const res = await fetch(`${proxyUrl}/api/config`, {
      headers: { cookie: `ferry_session=probe${k % 16}` },
    });
    await res.arrayBuffer();
    if (res.headers.get("x-ferry-upstream") === upstream) return;
  }
  throw new Error(`nginx did not route to ${upstream} again within 30 s`);
}

/** Figure 11: resume after a bridge restart and after failover. */
export async function resumeFigure(config: BenchConfig, mail: BenchMail): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [id, label, part] of [
    ["resume.restart", "after a restart", restartRows],
    ["resume.failover", "after failover", failoverRows],
  ] as const) {
    try {
      rows.push(...(await part(config, mail)));
    } catch (err) {
      progress(`${RESUME} ${label} failed: ${(err as Error).stack ?? String(err)}`);
      rows.push(errorRow(id, RESUME, label, err));
    }
  }
  return rows;
}
