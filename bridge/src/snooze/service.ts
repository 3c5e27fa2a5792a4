/**
 * Snooze: a message put away until a wake time. Decisions, for the record:
 *
 * - **Where it waits.** In the IMAP folder "Snoozed" (SNOOZED_FOLDER, created and subscribed on
 *   demand), not in place under a keyword: every mail client understands a folder, the Inbox of
 *   any client stops showing it, and a message is never out of the user's reach (should Ferry
 *   go away, it is still in a folder of their own server).
 * - **Waking.** One job per message in the state store's queue "snooze" (jobs/runner.ts: claimed
 *   with a lease, so one bridge runs it; surviving restarts; run late rather than never after
 *   downtime). It connects with its own credential, clears \Seen and MOVEs the message to INBOX,
 *   where it arrives last and so at the top. Waking twice is harmless: a message that is no
 *   longer in Snoozed is left alone (imap.ts), which is what makes a lease lost mid-run safe.
 *   A marker in the store (`snooze-waking:<id>`, expiring) keeps a second holder from moving
 *   it at the same moment (a MOVE racing another connection's can copy it twice).
 *   Tabs see it come back through the Inbox's own IDLE push, and `snoozes.changed` updates their
 *   Snoozed view.
 * - **Credentials.** A snooze outlives the session that made it (a week's snooze must not die
 *   with a session that expired on Tuesday): the job carries the IMAP password sealed with
 *   FERRY_SESSION_SECRET (the session store's AES-256-GCM box) and bound to the job's id, and it is
 *   deleted with the job. Signing out does not drop snoozes: the web app tells the user before
 *   signing out that their snoozed messages still come back on time and that the bridge keeps
 *   the sealed password until then, with "bring them back now" (`snooze.wake`) as the way to
 *   leave nothing behind.
 * - **When waking fails.** The message stays in Snoozed (nothing is deleted, ever). A password
 *   that no longer works (changed, or a rotated FERRY_SESSION_SECRET) marks the snooze
 *   `problem: "signin"` and the job waits; the next `snooze.list` from a signed-in session of
 *   the account seals that session's password into it and runs it. An unreachable server marks
 *   it `problem: "server"` and the runner retries with back-off. The Snoozed view shows both.
 *
 * Everything is keyed by account (session/account.ts), never by an email address alone: the
 * job's group is the account key.
 */
import { randomUUID } from "node:crypto";
import {
  MAX_SNOOZE_MS,
  MAX_SNOOZES,
  SNOOZED_FOLDER,
  type TServerFrame,
  type TSnooze,
  type TUidSet,
  ZSnooze,
} from "@ferry/protocol";
import { z } from "zod";
import type { Config } from "../config";
import { BridgeError, isBridgeError } from "../errors";
import { moveMessages } from "../imap/actions";
import { connectImap } from "../imap/connect";
import type { JobRunner } from "../jobs/runner";
import type { Logger } from "../log";
import { SecretBox } from "../session/crypto";
import { resolveAllowedHost } from "../session/host-policy";
import type { LiveSession } from "../session/live";
import { type SessionRecord, ZStoredTarget } from "../session/store";
import type { ClaimedJob, StateStore } from "../state/store";
import { ensureSnoozedFolder, readSnoozed, wakeMessage } from "./imap";

export const SNOOZE_QUEUE = "snooze";
/** A wake's lease: longer than a connect, a search and a move take together. */
const LEASE_MS = 120_000;
/**
 * How long one wake holds its marker (`snooze-waking:<id>`). Another holder of the job (its
 * lease lost) waits this long and then finds the message woken, or wakes it if the first died.
 */
const WAKING_MS = 10 * 60 * 1000;
/** A snooze whose password no longer works is tried again this often meanwhile. */
const SIGNIN_RETRY_MS = 6 * 60 * 60 * 1000;

const ZPayload = z.object({
  v: z.literal(1),
  email: z.string(),
  imap: ZStoredTarget,
  userNamed: z.boolean(),
  /** The IMAP password, sealed with the job id as associated data. */
  sealed: z.string(),
  messageId: z.string().nullable(),
  snooze: ZSnooze.omit({ problem: true }),
});
type Payload = z.infer<typeof ZPayload>;

export interface SnoozeServiceDeps {
  config: Pick<
    Config,
    "sessionSecret" | "ca" | "connectTimeoutMs" | "imapCommandTimeoutMs" | "allowPrivateHosts"
  >;
  state: StateStore;
  runner: JobRunner;
  log: Logger;
  /** The session record stored under a session key (for its server and sealed password). */
  record(sessionKey: string): Promise<SessionRecord | undefined>;
  /** Sends a pushed event to every open socket of `account` on this bridge. */
  push(account: string, frame: TServerFrame): void;
}

function wakingKey(id: string): string {
  return `snooze-waking:${id}`;
}

function problemKey(id: string): string {
  return `snooze-problem:${id}`;
}

export class SnoozeService {
  readonly #deps: SnoozeServiceDeps;
  readonly #box: SecretBox;

  constructor(deps: SnoozeServiceDeps) {
    this.#deps = deps;
    this.#box = new SecretBox(deps.config.sessionSecret);
    deps.runner.handle(SNOOZE_QUEUE, {
      leaseMs: LEASE_MS,
      run: (job) => this.#wake(job),
    });
  }

  /** Moves `set` to Snoozed until `wakeAt` and schedules its return. */
  async snooze(live: LiveSession, set: TUidSet, wakeAt: number): Promise<TSnooze[]> {
    const now = this.#deps.runner.now();
    if (wakeAt <= now) throw new BridgeError("bad_request", "The wake time has already passed.");
    if (wakeAt > now + MAX_SNOOZE_MS) {
      throw new BridgeError("bad_request", "A message can be snoozed for a year at most.");
    }
    if (set.mailbox === SNOOZED_FOLDER) {
      throw new BridgeError("bad_request", "These messages are already snoozed.");
    }
    const existing = await this.#deps.runner.jobs(SNOOZE_QUEUE, live.account);
    if (existing.length + set.uids.length > MAX_SNOOZES) {
      throw new BridgeError("bad_request", `At most ${MAX_SNOOZES} messages can be snoozed.`);
    }
    const { record, password } = await this.#credentials(live);

    const { messages, moved } = await live.mail.run(async (client) => {
      await ensureSnoozedFolder(client);
      const messages = await readSnoozed(client, set);
      if (messages.length === 0) {
        throw new BridgeError("message_not_found", "These messages are no longer there.");
      }
      const found: TUidSet = { ...set, uids: messages.map((m) => m.uid) };
      const moved = await moveMessages(client, found, SNOOZED_FOLDER);
      return { messages, moved };
    });
    const uidMap = new Map(moved.uidMap ?? []);
    const created: TSnooze[] = [];
    for (const m of messages) {
      const id = randomUUID();
      const snooze: Payload["snooze"] = {
        id,
        wakeAt,
        mailbox: SNOOZED_FOLDER,
        uidValidity: moved.toUidValidity ?? 0,
        uid: uidMap.get(m.uid) ?? 0,
        subject: m.subject,
        from: m.from,
        date: m.date,
      };
      const payload: Payload = {
        v: 1,
        email: live.email,
        imap: record.imap,
        userNamed: record.userNamed,
        sealed: this.#box.seal(password, `snooze:${id}`),
        messageId: m.messageId,
        snooze,
      };
      await this.#deps.runner.schedule({
        queue: SNOOZE_QUEUE,
        id,
        group: live.account,
        payload: JSON.stringify(payload),
        dueAt: wakeAt,
      });
      created.push({ ...snooze, problem: null });
    }
    await this.#announce(live.account);
    return created;
  }

  /**
   * The account's snoozes by wake time. Snoozes waiting for a working password get this
   * session's, and are tried again now.
   */
  async list(live: LiveSession): Promise<TSnooze[]> {
    const snoozes = await this.#list(live.account);
    const stuck = snoozes.filter((s) => s.problem === "signin");
    if (stuck.length > 0) {
      const { record, password } = await this.#credentials(live);
      const now = this.#deps.runner.now();
      for (const s of stuck) {
        const job = (await this.#deps.runner.jobs(SNOOZE_QUEUE, live.account)).find(
          (j) => j.id === s.id,
        );
        const payload = job && parsePayload(job.payload);
        if (!job || !payload || job.leasedUntil !== null) continue;
        const renewed: Payload = {
          ...payload,
          email: live.email,
          imap: record.imap,
          userNamed: record.userNamed,
          sealed: this.#box.seal(password, `snooze:${s.id}`),
        };
        await this.#deps.state.delete(problemKey(s.id));
        await this.#deps.runner.schedule({
          queue: SNOOZE_QUEUE,
          id: s.id,
          group: live.account,
          payload: JSON.stringify(renewed),
          dueAt: Math.min(job.dueAt, Math.max(now, s.wakeAt)),
        });
        s.problem = null;
      }
    }
    return snoozes;
  }

  /** Brings the account's snoozes `ids` back now. Returns the snoozes left. */
  async wakeNow(live: LiveSession, ids: string[]): Promise<TSnooze[]> {
    const own = new Set(
      (await this.#deps.runner.jobs(SNOOZE_QUEUE, live.account)).map((j) => j.id),
    );
    for (const id of ids) {
      if (!own.has(id)) continue; // another account's id, or already woken
      await this.#deps.runner.runNow(SNOOZE_QUEUE, id);
    }
    return this.#list(live.account);
  }

  async #credentials(live: LiveSession): Promise<{ record: SessionRecord; password: string }> {
    const record = await this.#deps.record(live.key);
    const password = record ? this.#box.open(record.sealedPassword, live.key) : null;
    if (!record || password === null) throw new BridgeError("unauthorized", "Sign in again.");
    return { record, password };
  }

  async #list(account: string, except?: string): Promise<TSnooze[]> {
    const jobs = await this.#deps.runner.jobs(SNOOZE_QUEUE, account);
    const out: TSnooze[] = [];
    for (const job of jobs) {
      if (job.id === except) continue;
      const payload = parsePayload(job.payload);
      if (!payload) continue;
      const problem = await this.#deps.state.get(problemKey(job.id));
      out.push({
        ...payload.snooze,
        problem: problem === "signin" || problem === "server" ? problem : null,
      });
    }
    return out.sort((a, b) => a.wakeAt - b.wakeAt);
  }

  async #announce(account: string, except?: string): Promise<void> {
    const snoozes = await this.#list(account, except);
    this.#deps.push(account, { type: "snoozes.changed", snoozes });
  }

  async #wake(job: ClaimedJob): Promise<undefined | { retryAt: number }> {
    const payload = parsePayload(job.payload);
    const log = this.#deps.log.child({ module: "snooze", job: job.id.slice(0, 12) });
    if (!payload) {
      // Not readable by this version: kept (never dropped silently), looked at again later.
      log.error("a snooze job could not be read; it is kept");
      return { retryAt: this.#deps.runner.now() + SIGNIN_RETRY_MS };
    }
    const password = this.#box.open(payload.sealed, `snooze:${job.id}`);
    if (password === null) return this.#stuck(job, "signin", SIGNIN_RETRY_MS);
    // One waker at a time even past a lost lease: a second MOVE of the same UID from another
    // connection that has not seen the first one's EXPUNGE can copy the message twice.
    if (!(await this.#deps.state.add(wakingKey(job.id), "1", { ttlMs: WAKING_MS }))) {
      return { retryAt: this.#deps.runner.now() + WAKING_MS };
    }
    const { config } = this.#deps;
    let client: Awaited<ReturnType<typeof connectImap>>;
    try {
      const address = payload.userNamed
        ? await resolveAllowedHost(payload.imap.host, config.allowPrivateHosts)
        : undefined;
      client = await connectImap(
        payload.imap,
        { user: payload.email, password },
        {
          ca: config.ca,
          connectTimeoutMs: config.connectTimeoutMs,
          commandTimeoutMs: config.imapCommandTimeoutMs,
          userNamed: payload.userNamed,
          address,
          log,
        },
      );
    } catch (err) {
      if (isBridgeError(err) && (err.code === "auth_failed" || err.code === "login_refused")) {
        await this.#deps.state.delete(wakingKey(job.id));
        return this.#stuck(job, "signin", SIGNIN_RETRY_MS);
      }
      await this.#deps.state.set(problemKey(job.id), "server");
      await this.#deps.state.delete(wakingKey(job.id));
      throw err;
    }
    try {
      const woke = await wakeMessage(client, {
        uidValidity: payload.snooze.uidValidity,
        uid: payload.snooze.uid,
        messageId: payload.messageId,
      });
      log.info({ woke }, woke ? "snoozed message back in the Inbox" : "snoozed message gone");
    } catch (err) {
      await this.#deps.state.delete(wakingKey(job.id));
      throw err;
    } finally {
      await client.logout().catch(() => client.close());
    }
    await this.#deps.state.delete(problemKey(job.id));
    await this.#announce(job.group, job.id);
    return undefined;
  }

  async #stuck(
    job: ClaimedJob,
    problem: "signin" | "server",
    retryMs: number,
  ): Promise<{ retryAt: number }> {
    await this.#deps.state.set(problemKey(job.id), problem);
    await this.#announce(job.group);
    return { retryAt: this.#deps.runner.now() + retryMs };
  }
}

function parsePayload(raw: string): Payload | null {
  try {
    const parsed = ZPayload.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
