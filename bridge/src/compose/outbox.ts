/**
 * The durable outbox: mail held for its undo window ("undo") or until a chosen time ("later"),
 * kept in the state store as a job of the `outbox` queue (jobs/runner.ts runs it when due, in
 * whichever bridge claims it), so that it survives a restart or crash of the bridge and goes
 * exactly once. This module owns what is stored and how; sending.ts owns what a run does.
 *
 * What is kept when Send is pressed, all in the store (so any bridge on it can send it):
 * - the job: its account (the group: the Scheduled view lists an account's jobs), the session
 *   that queued it (its sockets hear the outcome), the IMAP and SMTP servers, the Message-ID
 *   chosen at Send (a second build of the message carries the same one), and a sealed part;
 * - the sealed part (AES-256-GCM under FERRY_SESSION_SECRET, bound to the send id): the draft
 *   and the sign-in password, so the message still goes after sign-out or expiry of the session
 *   whose record held the password;
 * - each attachment's bytes, sealed the same way, under `outbox:part:<id>:<n>`: uploads live in
 *   one process's temp dir, and a forwarded message may be gone from the server by send time.
 *
 * Exactly once: the lease lets one bridge run a job at a time; `outbox:accepted:<id>` is written
 * the moment SMTP accepts the message, so a job claimed again (its bridge died before completing
 * it) does not submit again but only finishes the Sent copy. What remains is the instant between
 * SMTP's acceptance and that write: a bridge killed right then sends the message again on the
 * next claim, with the same Message-ID (receiving clients and many servers drop the duplicate).
 * Losing mail the user sent is the worse failure, so that window is resolved towards sending.
 *
 * After a run, `outbox:done:<id>` remembers the outcome for a day (a late undo says "already
 * sent"). A "later" send that fails while nobody can be told stays listed in Scheduled as not
 * sent (`outbox:failed:<id>`, the job parked far in the future) until the user edits or cancels
 * it: nothing is dropped silently.
 */
import type { TComposeDraft } from "@ferry/protocol";
import { z } from "zod";
import type { JobRunner } from "../jobs/runner";
import { SecretBox } from "../session/crypto";
import { ZStoredTarget } from "../session/store";
import type { Job, StateStore } from "../state/store";

export const OUTBOX_QUEUE = "outbox";
/** A failed "later" send is parked this far ahead: listed, never run until edited or cancelled. */
export const PARKED_AT = 8_640_000_000_000_000;
/** How long the outcome of a run is remembered (for a late undo or a second bridge). */
const DONE_TTL_MS = 24 * 60 * 60_000;
/** How long the "SMTP accepted" marker is kept (longer than any job can take to finish). */
const ACCEPTED_TTL_MS = 7 * DONE_TTL_MS;

export type HeldKind = "undo" | "later";

const ZPayload = z.object({
  v: z.literal(1),
  kind: z.enum(["undo", "later"]),
  sessionKey: z.string(),
  account: z.string(),
  email: z.string(),
  imap: ZStoredTarget,
  imapUserNamed: z.boolean(),
  smtp: ZStoredTarget.nullable(),
  smtpUserNamed: z.boolean(),
  messageId: z.string(),
  draftUid: z.object({ uidValidity: z.number(), uid: z.number() }).nullable(),
  parts: z.number().int().nonnegative(),
  createdAt: z.number(),
  sealed: z.string(),
});

/** What a held job says in the clear (no mail content, no password). */
export type HeldPayload = Omit<z.infer<typeof ZPayload>, "sealed" | "v">;

/** What a held job keeps sealed. */
export interface HeldSecret {
  draft: TComposeDraft;
  password: string;
}

/** An attachment as held: its bytes and how the draft named it. */
export interface HeldPart {
  filename: string;
  type: string;
  content: Buffer;
  /** The Content-ID of an image the HTML shows inline (build.ts). */
  contentId?: string;
}

export interface HeldMessage {
  id: string;
  dueAt: number;
  attempts: number;
  /** The end of the current lease when a bridge is sending it right now, else null. */
  leasedUntil: number | null;
  payload: HeldPayload;
  secret: HeldSecret;
  /** Set when a "later" send failed and waits for the user (edit or cancel). */
  failure: { code: string; message: string } | null;
}

const partKey = (id: string, n: number) => `outbox:part:${id}:${n}`;
const acceptedKey = (id: string) => `outbox:accepted:${id}`;
const doneKey = (id: string) => `outbox:done:${id}`;
const failedKey = (id: string) => `outbox:failed:${id}`;

export class DurableOutbox {
  readonly #store: StateStore;
  readonly #jobs: JobRunner;
  readonly #box: SecretBox;

  constructor(store: StateStore, jobs: JobRunner, sessionSecret: string) {
    this.#store = store;
    this.#jobs = jobs;
    this.#box = new SecretBox(sessionSecret);
  }

  #seal(id: string, text: string): string {
    return this.#box.seal(text, `outbox:${id}`);
  }

  #open(id: string, sealed: string): string | null {
    return this.#box.open(sealed, `outbox:${id}`);
  }

  /** Stores the message (parts first, then the job) to be sent at `dueAt`. */
  async hold(
    id: string,
    payload: Omit<HeldPayload, "parts">,
    secret: HeldSecret,
    parts: HeldPart[],
    dueAt: number,
  ): Promise<void> {
    for (const [n, part] of parts.entries()) {
      const value = JSON.stringify({
        filename: part.filename,
        type: part.type,
        data: part.content.toString("base64"),
        ...(part.contentId === undefined ? {} : { cid: part.contentId }),
      });
      await this.#store.set(partKey(id, n), this.#seal(id, value));
    }
    const stored = await this.#jobs.schedule({
      queue: OUTBOX_QUEUE,
      id,
      group: payload.account,
      dueAt,
      payload: JSON.stringify({
        v: 1,
        ...payload,
        parts: parts.length,
        sealed: this.#seal(id, JSON.stringify(secret)),
      }),
    });
    if (!stored) throw new Error(`outbox job ${id} is held and cannot be replaced`);
    await this.#store.delete(failedKey(id));
  }

  /** The held message of a job as read back; null when it is damaged or sealed with another secret. */
  async read(job: Job): Promise<HeldMessage | null> {
    let parsed: z.infer<typeof ZPayload>;
    try {
      parsed = ZPayload.parse(JSON.parse(job.payload));
    } catch {
      return null;
    }
    const opened = this.#open(job.id, parsed.sealed);
    if (opened === null) return null;
    const { sealed: _sealed, v: _v, ...payload } = parsed;
    const failed = await this.#store.get(failedKey(job.id));
    return {
      id: job.id,
      dueAt: job.dueAt,
      attempts: job.attempts,
      leasedUntil: job.leasedUntil,
      payload,
      secret: JSON.parse(opened) as HeldSecret,
      failure: failed === undefined ? null : (JSON.parse(failed) as HeldMessage["failure"]),
    };
  }

  /** The attachment bytes of a held message, in the draft's order. */
  async parts(held: HeldMessage): Promise<HeldPart[]> {
    const out: HeldPart[] = [];
    for (let n = 0; n < held.payload.parts; n++) {
      const sealed = await this.#store.get(partKey(held.id, n));
      const opened = sealed === undefined ? null : this.#open(held.id, sealed);
      if (opened === null) throw new Error(`outbox part ${n} of ${held.id} is missing`);
      const part = JSON.parse(opened) as {
        filename: string;
        type: string;
        data: string;
        cid?: string;
      };
      out.push({
        filename: part.filename,
        type: part.type,
        content: Buffer.from(part.data, "base64"),
        ...(typeof part.cid === "string" ? { contentId: part.cid } : {}),
      });
    }
    return out;
  }

  /** The account's held and scheduled messages that can be read, by due time. */
  async list(account: string): Promise<HeldMessage[]> {
    const jobs = await this.#jobs.jobs(OUTBOX_QUEUE, account);
    const out: HeldMessage[] = [];
    for (const job of jobs) {
      const held = await this.read(job);
      if (held) out.push(held);
    }
    return out;
  }

  /** One held message of `account`, or null. */
  async find(account: string, id: string): Promise<{ job: Job; held: HeldMessage | null } | null> {
    const job = (await this.#jobs.jobs(OUTBOX_QUEUE, account)).find((j) => j.id === id);
    return job ? { job, held: await this.read(job) } : null;
  }

  /**
   * Takes a held message back before it is sent: "cancelled" (its parts then deleted by
   * `forget`), "claimed" (it is being sent right now) or "missing".
   */
  cancel(id: string): Promise<"cancelled" | "claimed" | "missing"> {
    return this.#jobs.cancel(OUTBOX_QUEUE, id);
  }

  /** The outcome of a message no longer held, when it ran in the last day. */
  async outcome(id: string): Promise<"sent" | "failed" | undefined> {
    const v = await this.#store.get(doneKey(id));
    return v === "sent" || v === "failed" ? v : undefined;
  }

  /** When SMTP accepted the message, if it did (a job claimed again must not submit again). */
  async accepted(id: string): Promise<{ date: number } | null> {
    const v = await this.#store.get(acceptedKey(id));
    return v === undefined ? null : (JSON.parse(v) as { date: number });
  }

  async markAccepted(id: string, date: number): Promise<void> {
    await this.#store.set(acceptedKey(id), JSON.stringify({ date }), { ttlMs: ACCEPTED_TTL_MS });
  }

  /** A "later" send failed and nobody could be told: keep it listed as not sent. */
  async markFailed(id: string, failure: { code: string; message: string }): Promise<void> {
    await this.#store.set(failedKey(id), JSON.stringify(failure));
  }

  /** Deletes what a finished (or cancelled) message kept, remembering `outcome` for a day. */
  async forget(id: string, parts: number, outcome?: "sent" | "failed"): Promise<void> {
    for (let n = 0; n < parts; n++) await this.#store.delete(partKey(id, n));
    await this.#store.delete(failedKey(id));
    if (outcome) await this.#store.set(doneKey(id), outcome, { ttlMs: DONE_TTL_MS });
  }
}
