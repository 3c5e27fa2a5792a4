import { describe, expect, it } from "vitest";
import { ContactIndex, cleanName, MAX_CONTACTS, WEIGHT } from "./contacts";

describe("ContactIndex", () => {
  it("suggests by address, name word or domain prefix, best first", () => {
    const index = new ContactIndex();
    index.add({ name: "Bob Builder", address: "bob@example.test" }, WEIGHT.from, 1);
    index.add({ name: "Roberta Smith", address: "rsmith@corp.test" }, WEIGHT.sentTo, 2);
    index.add({ name: "", address: "noreply@shop.test" }, WEIGHT.from, 3);
    expect(index.suggest("bo", 5).map((c) => c.address)).toEqual(["bob@example.test"]);
    expect(index.suggest("smi", 5).map((c) => c.address)).toEqual(["rsmith@corp.test"]);
    expect(index.suggest("corp", 5).map((c) => c.address)).toEqual(["rsmith@corp.test"]);
    expect(index.suggest("", 2).map((c) => c.address)).toEqual([
      "rsmith@corp.test",
      "noreply@shop.test",
    ]);
  });

  it("merges sightings case-insensitively, keeps the newest name, leaves out excluded", () => {
    const index = new ContactIndex();
    index.add({ name: "Old", address: "Bob@Example.test" }, 1, 1);
    index.add({ name: "New Bob", address: "bob@example.test" }, 1, 5);
    index.add({ name: "", address: "bob@example.test" }, 1, 9);
    expect(index.size).toBe(1);
    expect(index.suggest("bob", 5)).toEqual([{ name: "New Bob", address: "Bob@Example.test" }]);
    expect(index.suggest("bob", 5, new Set(["bob@example.test"]))).toEqual([]);
  });

  it("ignores invalid addresses and cleans names", () => {
    const index = new ContactIndex();
    index.add({ name: "x", address: "undisclosed-recipients:;" }, 1, 1);
    index.add({ name: "Eve\r\nBcc: x", address: "eve@example.test" }, 1, 1);
    expect(index.suggest("", 10)).toEqual([{ name: "Eve Bcc: x", address: "eve@example.test" }]);
    expect(cleanName(" a\u202e b ")).toBe("a b");
  });

  it("stays bounded", () => {
    const index = new ContactIndex();
    for (let i = 0; i < MAX_CONTACTS + 10; i++) index.add({ address: `u${i}@example.test` }, 1, i);
    expect(index.size).toBe(MAX_CONTACTS);
  });
});
