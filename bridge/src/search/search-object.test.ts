import type { SearchObject } from "imapflow";
import { describe, expect, it } from "vitest";
import { allOf } from "./search-object";

/** A message reduced to the words it contains (TEXT, FROM and SUBJECT look at the same set). */
type Message = ReadonlySet<string>;

/** The meaning of the SearchObject subset allOf produces: keys AND, `or` any, `not` negates. */
function matches(obj: SearchObject, msg: Message): boolean {
  const unexpected = Object.keys(obj).filter((key) => !KEYS.includes(key));
  if (unexpected.length > 0) throw new Error(`unexpected keys ${unexpected.join()}`);
  return (
    (obj.text === undefined || msg.has(`text:${obj.text}`)) &&
    (obj.from === undefined || msg.has(`from:${obj.from}`)) &&
    (obj.subject === undefined || msg.has(`subject:${obj.subject}`)) &&
    (obj.or === undefined || obj.or.some((operand) => matches(operand, msg))) &&
    (obj.not === undefined || !matches(obj.not, msg))
  );
}
const KEYS = ["text", "from", "subject", "or", "not"];

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = ["text:a", "text:b", "text:c", "from:a", "from:b", "subject:a"];

function randomPart(rand: () => number, depth = 0): SearchObject {
  const pick = (): SearchObject => {
    const atom = ATOMS[Math.floor(rand() * ATOMS.length)] ?? "text:a";
    const [key = "text", value = "a"] = atom.split(":");
    return { [key]: value };
  };
  const r = rand();
  if (depth > 1 || r < 0.5) return pick();
  if (r < 0.75) return { not: randomPart(rand, depth + 1) };
  return { or: [randomPart(rand, depth + 1), randomPart(rand, depth + 1)] };
}

describe("allOf", () => {
  it("merges parts whose keys differ into one object", () => {
    expect(allOf([{ from: "a" }, { seen: false }, { not: { subject: "x" } }])).toEqual({
      from: "a",
      seen: false,
      not: { subject: "x" },
    });
  });

  it("keeps every part when keys collide", () => {
    expect(allOf([{ text: "a" }, { text: "b" }])).toEqual({ text: "a", or: [{ text: "b" }] });
  });

  it("nests a second OR and NOT when both sides use both keys", () => {
    const a = { or: [{ text: "a" }, { text: "b" }], not: { text: "c" } };
    const b = { or: [{ from: "a" }, { from: "b" }], not: { from: "c" } };
    expect(allOf([a, b])).toEqual({ or: [a], not: { not: b } });
  });

  it("means exactly the AND of its parts (random parts, every message)", () => {
    const rand = prng(20240310);
    // Every combination of the atoms is a message.
    const messages: Message[] = Array.from(
      { length: 1 << ATOMS.length },
      (_, bits) => new Set(ATOMS.filter((_, i) => bits & (1 << i))),
    );
    for (let round = 0; round < 500; round++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 9) }, () => randomPart(rand));
      const combined = allOf(parts);
      for (const msg of messages) {
        expect(matches(combined, msg)).toBe(parts.every((part) => matches(part, msg)));
      }
    }
  });
});
