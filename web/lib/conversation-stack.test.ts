import { MAX_ROWS_REFS, type TConversationRow, type TMemberRow } from "@ferry/protocol";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import {
  applyMemberFlags,
  FOLD_OVER,
  KEEP_NEWEST,
  keptMemberRows,
  MEMBER_ROWS_KEY,
  memberPageWithFlags,
  membersOf,
  OPEN_AHEAD,
  openAhead,
  orderMembers,
  pagesOf,
  refId,
  stackLayout,
} from "./conversation-stack";
import type { MessageData } from "./mail-client";

function row(
  mailbox: string,
  uid: number,
  date: string,
  messageId: string,
  inReplyTo: string | null = null,
): TMemberRow {
  return {
    mailbox,
    uidValidity: 7,
    uid,
    flags: [],
    date,
    subject: "s",
    from: [],
    to: [],
    size: 1,
    hasAttachments: false,
    preview: "",
    messageId,
    inReplyTo,
  };
}

const member = (r: TMemberRow) => ({
  ref: { mailbox: r.mailbox, uidValidity: r.uidValidity, uid: r.uid },
  row: r as TMemberRow | undefined,
});

describe("membersOf", () => {
  it("lists the folder's other messages, then those elsewhere", () => {
    const conversation = {
      uids: [9, 5, 2],
      elsewhere: [{ mailbox: "Sent", uidValidity: 3, uid: 4 }],
    } as unknown as TConversationRow;
    const refs = membersOf(conversation, { mailbox: "INBOX", uidValidity: 7, uid: 9 });
    expect(refs.map(refId)).toEqual(
      [
        { mailbox: "INBOX", uidValidity: 7, uid: 5 },
        { mailbox: "INBOX", uidValidity: 7, uid: 2 },
        { mailbox: "Sent", uidValidity: 3, uid: 4 },
      ].map(refId),
    );
  });
});

describe("pagesOf", () => {
  it("asks at most MAX_ROWS_REFS refs per request, all of them once", () => {
    const refs = Array.from({ length: 2 * MAX_ROWS_REFS + 1 }, (_, i) => ({
      mailbox: "INBOX",
      uidValidity: 1,
      uid: i + 1,
    }));
    const pages = pagesOf(refs);
    expect(pages.map((p) => p.length)).toEqual([MAX_ROWS_REFS, MAX_ROWS_REFS, 1]);
    expect(pages.flat()).toEqual(refs);
  });
});

describe("orderMembers", () => {
  it("puts older first, and within one second a reply after what it replies to, across folders", () => {
    const same = "2026-01-01T10:00:00.000Z";
    const a = row("INBOX", 1, same, "<a>");
    const b = row("Sent", 1, same, "<b>", "<a>");
    const c = row("INBOX", 2, same, "<c>", "<b>");
    const early = row("INBOX", 5, "2025-12-31T10:00:00.000Z", "<e>");
    const ordered = orderMembers([member(c), member(b), member(a), member(early)]);
    expect(ordered.map((m) => m.row?.messageId)).toEqual(["<e>", "<a>", "<b>", "<c>"]);
  });

  it("keeps members whose row is not known yet at the end, in their order", () => {
    const known = member(row("INBOX", 3, "2026-01-01T10:00:00.000Z", "<k>"));
    const unknown1 = { ref: { mailbox: "INBOX", uidValidity: 7, uid: 8 }, row: undefined };
    const unknown2 = { ref: { mailbox: "Sent", uidValidity: 7, uid: 1 }, row: undefined };
    expect(orderMembers([unknown1, known, unknown2])).toEqual([known, unknown1, unknown2]);
  });
});

describe("stackLayout", () => {
  it("shows every line of a short stack", () => {
    const open = Array.from({ length: FOLD_OVER }, () => false);
    expect(stackLayout(open, false).every((e) => e.kind === "message")).toBe(true);
  });

  it("folds a long stack's collapsed lines between the oldest and the newest few, never an expanded one", () => {
    const n = 30;
    const open = Array.from({ length: n }, (_, i) => i === 10);
    const layout = stackLayout(open, false);
    expect(layout).toEqual([
      { kind: "message", index: 0 },
      { kind: "fold", from: 1, to: 10 },
      { kind: "message", index: 10 },
      { kind: "fold", from: 11, to: n - KEEP_NEWEST },
      ...Array.from({ length: KEEP_NEWEST }, (_, k) => ({
        kind: "message",
        index: n - KEEP_NEWEST + k,
      })),
    ]);
    // Every message is either shown or in exactly one fold.
    const covered = layout.flatMap((e) =>
      e.kind === "message"
        ? [e.index]
        : Array.from({ length: e.to - e.from }, (_, k) => e.from + k),
    );
    expect(covered).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it("shows every line once unfolded", () => {
    const open = Array.from({ length: 30 }, () => false);
    expect(stackLayout(open, true)).toHaveLength(30);
  });
});

describe("keptMemberRows (the stack offline)", () => {
  const ref = (uid: number) => ({ mailbox: "INBOX", uidValidity: 7, uid });
  const kept = (uid: number, flags: string[]): MessageData => ({
    header: {
      ref: ref(uid),
      envelope: {
        date: "2026-01-02T10:00:00.000Z",
        subject: "Plans",
        from: [{ name: "Bob", address: "bob@example.test" }],
        sender: [],
        replyTo: [],
        to: [{ name: "", address: "alice@example.test" }],
        cc: [],
        bcc: [],
        messageId: `<m${uid}@example.test>`,
        inReplyTo: uid > 1 ? `<m${uid - 1}@example.test>` : null,
      },
      flags,
      size: 321,
      structure: { type: "text/plain", part: "1", parameters: {}, size: 10 } as never,
      attachments: [],
      bodyParts: [{ part: "1", type: "text/plain" }],
      references: [],
      listUnsubscribe: null,
    },
    bodies: [{ part: "1", type: "text/plain", text: "See you\n  at   noon.", done: true }],
    complete: true,
  });

  it("gives each kept message its collapsed line with its flags, and names the others missing", async () => {
    const store = new Map([
      [1, kept(1, ["\\Seen", "\\Flagged"])],
      [2, kept(2, [])],
    ]);
    const out = await keptMemberRows([ref(1), ref(2), ref(3)], async (r) => store.get(r.uid));
    expect(out.missing).toEqual([ref(3)]);
    expect(out.rows.map((r) => [r.uid, r.flags])).toEqual([
      [1, ["\\Seen", "\\Flagged"]],
      [2, []],
    ]);
    const second = out.rows[1] as TMemberRow;
    expect(second.from[0]?.name).toBe("Bob");
    expect(second.preview).toBe("See you at noon.");
    expect(second.inReplyTo).toBe("<m1@example.test>");
    expect(second.date).toBe("2026-01-02T10:00:00.000Z");
  });

  it("counts a message whose kept copy cannot be read as missing", async () => {
    const out = await keptMemberRows([ref(1)], () => Promise.reject(new Error("idb gone")));
    expect(out).toEqual({ rows: [], missing: [ref(1)] });
  });
});

describe("member rows and later flag changes", () => {
  const unreadRow = (uid: number) => row("INBOX", uid, "2026-01-01T00:00:00Z", `<${uid}@x>`);
  const flagged = { mailbox: "INBOX", uidValidity: 7, changes: [{ uid: 2, flags: ["\\Seen"] }] };

  it("gives a row the flags a later change says, leaving the others as they were", () => {
    const page = { rows: [unreadRow(1), unreadRow(2)], missing: [] };
    const next = memberPageWithFlags(page, flagged);
    expect(next.rows.map((r) => r.flags)).toEqual([[], ["\\Seen"]]);
    expect(next.rows[0]).toBe(page.rows[0]);
    expect(page.rows[1]?.flags).toEqual([]);
  });

  it("keeps the page as it is when the change is of another folder, UIDVALIDITY or message", () => {
    const page = { rows: [unreadRow(1), unreadRow(2)], missing: [] };
    expect(memberPageWithFlags(page, { ...flagged, mailbox: "Sent" })).toBe(page);
    expect(memberPageWithFlags(page, { ...flagged, uidValidity: 8 })).toBe(page);
    expect(memberPageWithFlags(page, { ...flagged, changes: [{ uid: 3, flags: [] }] })).toBe(page);
  });

  it("marks read and starred the rows of every cached page that holds the message", () => {
    const client = new QueryClient();
    const keyA = [MEMBER_ROWS_KEY, "a"];
    const keyB = [MEMBER_ROWS_KEY, "b"];
    client.setQueryData(keyA, { rows: [unreadRow(1), unreadRow(2)], missing: [] });
    client.setQueryData(keyB, { rows: [unreadRow(2)], missing: [] });
    client.setQueryData(["message", "other"], { rows: [unreadRow(2)] });
    applyMemberFlags(client, {
      ...flagged,
      changes: [{ uid: 2, flags: ["\\Seen", "\\Flagged"] }],
    });
    const flagsOf = (key: unknown[]) =>
      client.getQueryData<{ rows: TMemberRow[] }>(key)?.rows.map((r) => r.flags);
    expect(flagsOf(keyA)).toEqual([[], ["\\Seen", "\\Flagged"]]);
    expect(flagsOf(keyB)).toEqual([["\\Seen", "\\Flagged"]]);
    expect(flagsOf(["message", "other"])).toEqual([[]]);
    // Marked unread again elsewhere: the line is unread again.
    applyMemberFlags(client, { ...flagged, changes: [{ uid: 2, flags: [] }] });
    expect(flagsOf(keyB)).toEqual([[]]);
  });
});

describe("openAhead", () => {
  it("takes the first few expanded from the top, and nothing collapsed", () => {
    const stack = Array.from({ length: 20 }, (_, i) => ({ n: i, unread: i % 3 === 1 }));
    expect(openAhead(stack, (m) => m.unread).map((m) => m.n)).toEqual([1, 4, 7, 10]);
    expect(OPEN_AHEAD).toBe(4);
    expect(openAhead(stack, () => false)).toEqual([]);
  });
});
