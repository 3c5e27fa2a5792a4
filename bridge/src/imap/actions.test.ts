/**
 * Integration tests of the actions on UID sets against the real Dovecot fixture; every result is
 * checked by reading the IMAP state back with a plain client.
 */
import type { TUidSet } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandsDuring, countOf } from "../../test/imap-commands";
import {
  archiveMessages,
  copyMessages,
  deleteMessages,
  markAllRead,
  moveMessages,
  normalizeFlag,
  updateFlags,
} from "./actions";
import { listMailboxes } from "./mailboxes";
import { markSpam } from "./rule-actions";
import { appendMessages, buildMessage, type Fixture, startFixture } from "./test-support";

let fx: Fixture;
let client: ImapFlow;
/** A second connection, used only to read state back. */
let reader: ImapFlow;

async function uidValidity(path: string): Promise<number> {
  const status = await reader.status(path, { uidValidity: true });
  if (!status || status.uidValidity === undefined) throw new Error("no status");
  return Number(status.uidValidity);
}

/** subject → { uid, flags } of every message in `path`. */
async function contents(path: string): Promise<Map<string, { uid: number; flags: string[] }>> {
  const lock = await reader.getMailboxLock(path, { readOnly: true });
  try {
    // An already selected mailbox learns of new messages only with the next command.
    await reader.noop();
    const out = new Map<string, { uid: number; flags: string[] }>();
    if (!reader.mailbox || reader.mailbox.exists === 0) return out;
    for (const m of await reader.fetchAll("1:*", { uid: true, flags: true, envelope: true })) {
      // Dovecot's attachment detection may add its own keywords; they are not ours to check.
      const flags = [...(m.flags ?? [])].filter((f) => !/^\$Has(No)?Attachment$/i.test(f)).sort();
      out.set(m.envelope?.subject ?? "", { uid: m.uid, flags });
    }
    return out;
  } finally {
    lock.release();
  }
}

async function seed(folder: string, subjects: string[], flags: string[] = []): Promise<number[]> {
  return appendMessages(
    client,
    folder,
    subjects.map((subject) => buildMessage({ subject, text: subject })),
    { flags },
  );
}

async function setOf(mailbox: string, uids: number[]): Promise<TUidSet> {
  return { mailbox, uidValidity: await uidValidity(mailbox), uids };
}

beforeAll(async () => {
  fx = await startFixture();
  client = await fx.connect();
  reader = await fx.connect();
});

afterAll(async () => {
  await fx?.stop();
});

describe("updateFlags", () => {
  it("adds and removes system flags and keywords", async () => {
    const [a, b] = await seed("Flags", ["f-a", "f-b", "f-c"]);
    const set = await setOf("Flags", [a as number, b as number]);
    await updateFlags(client, set, ["\\seen", "\\Flagged", "$Label1"], []);
    let state = await contents("Flags");
    expect(state.get("f-a")?.flags).toEqual(["$Label1", "\\Flagged", "\\Seen"]);
    expect(state.get("f-b")?.flags).toEqual(["$Label1", "\\Flagged", "\\Seen"]);
    expect(state.get("f-c")?.flags).toEqual([]);
    await updateFlags(client, set, ["\\Answered"], ["\\Flagged", "$Label1"]);
    state = await contents("Flags");
    expect(state.get("f-a")?.flags).toEqual(["\\Answered", "\\Seen"]);
  });

  it("refuses \\Deleted, bad keywords and read-only mailboxes", async () => {
    const set = await setOf("Flags", [1]);
    await expect(updateFlags(client, set, ["\\Deleted"], [])).rejects.toMatchObject({
      code: "bad_request",
    });
    await expect(updateFlags(client, set, ["bad label"], [])).rejects.toMatchObject({
      code: "bad_request",
    });
    await expect(
      updateFlags(client, set, ["\\Seen"], [], { readOnly: true }),
    ).rejects.toMatchObject({
      code: "read_only",
    });
    expect(() => normalizeFlag("$Forwarded")).not.toThrow();
  });

  it("refuses a stale UIDVALIDITY", async () => {
    const set = await setOf("Flags", [1]);
    await expect(
      updateFlags(client, { ...set, uidValidity: set.uidValidity + 1 }, ["\\Seen"], []),
    ).rejects.toMatchObject({
      code: "uidvalidity_changed",
    });
  });
});

describe("move and copy", () => {
  it("moves messages and reports the new UIDs", async () => {
    const uids = await seed("MoveSrc", ["m-1", "m-2", "m-3"]);
    await client.mailboxCreate("MoveDst");
    const set = await setOf("MoveSrc", [uids[0] as number, uids[2] as number]);
    const result = await moveMessages(client, set, "MoveDst");
    expect(result.to).toBe("MoveDst");
    expect(result.toUidValidity).toBe(await uidValidity("MoveDst"));
    const src = await contents("MoveSrc");
    const dst = await contents("MoveDst");
    expect([...src.keys()]).toEqual(["m-2"]);
    expect(result.uidMap).toEqual([
      [uids[0], dst.get("m-1")?.uid],
      [uids[2], dst.get("m-3")?.uid],
    ]);
  });

  it("copies messages, leaving the source as it was", async () => {
    const uids = await seed("CopySrc", ["c-1", "c-2"]);
    const result = await copyMessages(client, await setOf("CopySrc", uids), "MoveDst");
    const dst = await contents("MoveDst");
    expect(result.uidMap).toEqual([
      [uids[0], dst.get("c-1")?.uid],
      [uids[1], dst.get("c-2")?.uid],
    ]);
    expect([...(await contents("CopySrc")).keys()]).toEqual(["c-1", "c-2"]);
    // Copying out of a mailbox opened read-only is allowed.
    await expect(
      copyMessages(client, await setOf("CopySrc", uids), "MoveDst", { readOnly: true }),
    ).resolves.toMatchObject({
      to: "MoveDst",
    });
  });

  it("refuses a destination that does not exist, and moves from read-only mailboxes", async () => {
    const set = await setOf("CopySrc", [1]);
    await expect(moveMessages(client, set, "Nowhere")).rejects.toMatchObject({
      code: "mailbox_not_found",
    });
    await expect(moveMessages(client, set, "MoveDst", { readOnly: true })).rejects.toMatchObject({
      code: "read_only",
    });
    await expect(moveMessages(client, set, "CopySrc")).rejects.toMatchObject({
      code: "bad_request",
    });
  });
});

describe("archive and delete", () => {
  it("archives to the \\Archive folder", async () => {
    const uids = await seed("INBOX", ["a-1", "a-2"]);
    const result = await archiveMessages(client, await setOf("INBOX", [uids[0] as number]));
    expect(result.to).toBe("Archive");
    const archive = await contents("Archive");
    expect(result.uidMap).toEqual([[uids[0], archive.get("a-1")?.uid]]);
    expect((await contents("INBOX")).has("a-1")).toBe(false);
  });

  it("deletes to Trash, then expunges exactly the chosen UIDs from Trash", async () => {
    const uids = await seed("INBOX", ["d-1", "d-2"]);
    const moved = await deleteMessages(client, await setOf("INBOX", uids));
    expect(moved.to).toBe("Trash");
    let trash = await contents("Trash");
    expect(trash.has("d-1") && trash.has("d-2")).toBe(true);
    // A message another client marked \Deleted must survive our expunge.
    const [other] = await seed("Trash", ["keep-me"], ["\\Deleted"]);
    const d1 = trash.get("d-1")?.uid as number;
    const gone = await deleteMessages(client, await setOf("Trash", [d1]));
    expect(gone).toEqual({ to: null, uidMap: null, toUidValidity: null });
    trash = await contents("Trash");
    expect(trash.has("d-1")).toBe(false);
    expect(trash.has("d-2")).toBe(true);
    expect(trash.get("keep-me")?.uid).toBe(other);
  });

  it("find Archive, Trash and Junk among the folders the connection last listed, with no LIST", async () => {
    await listMailboxes(client);
    const [a, d, j] = await seed("INBOX", ["k-archive", "k-delete", "k-junk"]);
    const commands = await commandsDuring(async () => {
      expect((await archiveMessages(client, await setOf("INBOX", [a as number]))).to).toBe(
        "Archive",
      );
      expect((await deleteMessages(client, await setOf("INBOX", [d as number]))).to).toBe("Trash");
      const spam = await markSpam(client, await setOf("INBOX", [j as number]), "spam", undefined);
      expect(spam.to).toBe("Junk");
    });
    expect(
      countOf(
        commands.filter((c) => c.connection === client),
        "LIST",
      ),
    ).toBe(0);
    expect((await contents("Archive")).has("k-archive")).toBe(true);
    expect((await contents("Trash")).has("k-delete")).toBe(true);
    expect((await contents("Junk")).has("k-junk")).toBe(true);
  });

  it("refuses to delete in a read-only mailbox", async () => {
    await expect(
      deleteMessages(client, await setOf("INBOX", [1]), { readOnly: true }),
    ).rejects.toMatchObject({
      code: "read_only",
    });
  });
});

describe("markAllRead", () => {
  it("marks every unread message read and leaves the others", async () => {
    await seed(
      "Unread",
      Array.from({ length: 30 }, (_, i) => `u-${i}`),
    );
    await seed("Unread", ["r-1", "r-2"], ["\\Seen", "\\Flagged"]);
    const n = await markAllRead(client, "Unread");
    expect(n).toBe(30);
    const state = await contents("Unread");
    expect([...state.values()].every((m) => m.flags.includes("\\Seen"))).toBe(true);
    expect(state.get("r-1")?.flags).toEqual(["\\Flagged", "\\Seen"]);
    const status = await reader.status("Unread", { unseen: true });
    expect(status === false ? -1 : status.unseen).toBe(0);
    expect(await markAllRead(client, "Unread")).toBe(0);
    await expect(markAllRead(client, "Unread", { readOnly: true })).rejects.toMatchObject({
      code: "read_only",
    });
  });
});
