import type { TMessageRow } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { mergeWindow } from "./list-cache";
import { listCountText, listSetSize } from "./list-count";

function row(uid: number): TMessageRow {
  return {
    uid,
    flags: [],
    date: new Date(Date.UTC(2026, 0, 1) - uid * 60_000).toISOString(),
    subject: `Subject ${uid}`,
    from: [{ name: `Sender ${uid}`, address: `s${uid}@example.test` }],
    to: [],
    size: 100,
    hasAttachments: false,
    preview: "",
    messageId: null,
  };
}

function conversationsWindow(total: number, estimated: boolean) {
  return {
    mailbox: "INBOX",
    query: null,
    uidValidity: 7,
    total,
    offset: 0,
    rows: [row(100_000)],
    conversations: [],
    ...(estimated ? { estimated: true as const } : {}),
  };
}

const conversations = { search: false, conversations: true };

describe("the list header's count of a large folder's conversations", () => {
  it("says the head's total is an estimate, then the exact count once the folder is threaded", () => {
    const head = mergeWindow(undefined, conversationsWindow(31_850, true), "e1");
    expect(listCountText(head, conversations)).toBe("About 31,850 conversations");
    // The rows do not claim a size that is about to change.
    expect(listSetSize(head)).toBe(-1);

    const whole = mergeWindow(head, conversationsWindow(17_449, false), "e1");
    expect(listCountText(whole, conversations)).toBe("17,449 conversations");
    expect(listSetSize(whole)).toBe(17_449);
  });

  it("counts messages and results as before", () => {
    const data = { total: 1 };
    expect(listCountText(data, conversations)).toBe("1 conversation");
    expect(listCountText({ total: 100_000 }, { search: false, conversations: false })).toBe(
      "100,000 messages",
    );
    expect(listCountText({ total: 3 }, { search: true, conversations: false })).toBe("3 results");
    expect(listSetSize(undefined)).toBe(0);
  });
});
