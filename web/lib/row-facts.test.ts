/** A search result's folder as the row shows and names it. */
import type { TMessageRow } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { rowFacts, rowFolderLabel, rowLabel } from "./row-facts";

describe("a search result's folder", () => {
  it("names the server's INBOX as the folder list does, other folders by their path", () => {
    expect(rowFolderLabel("INBOX")).toBe("Inbox");
    expect(rowFolderLabel("inbox")).toBe("Inbox");
    expect(rowFolderLabel("Projects/Été 2024")).toBe("Projects/Été 2024");
  });

  it("is in the row's accessible name as Inbox, not INBOX", () => {
    const row = {
      uid: 7,
      from: [{ name: "Ann", address: "ann@example.org" }],
      subject: "Hello",
      flags: [],
      mailbox: "INBOX",
    } as unknown as TMessageRow;
    const label = rowLabel(row, rowFacts(row, undefined), "yesterday");
    expect(label).toMatch(/, in Inbox$/);
  });
});
