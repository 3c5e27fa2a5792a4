import { readFileSync } from "node:fs";
import { generate } from "@ferry/mail-server";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../test/harness";
import { baseSubject } from "./base-subject";
import { messageIds, type ThreadInput, threadByReferences, threadUids } from "./references";
import { parseThread } from "./server-thread";

/** The conversations as sorted lists of UIDs, sorted: a partition to compare. */
function groups(inputs: ThreadInput[]): number[][] {
  return threadByReferences(inputs)
    .map((t) => threadUids(t).sort((a, b) => a - b))
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

function msg(uid: number, fields: Partial<ThreadInput>): ThreadInput {
  return { uid, messageId: `<m${uid}@x>`, subject: `subject ${uid}`, date: uid * 1000, ...fields };
}

describe("baseSubject", () => {
  it("removes reply and forward markers, list tags and (fwd) trailers", () => {
    expect(baseSubject("Re: Lunch")).toEqual({ base: "lunch", isReplyOrForward: true });
    expect(baseSubject("[dev] RE: Fwd:  Lunch (fwd)").base).toBe("lunch");
    expect(baseSubject("Re[2]: Lunch").base).toBe("lunch");
    expect(baseSubject("[Fwd: Re: Lunch]").base).toBe("lunch");
    expect(baseSubject("Lunch")).toEqual({ base: "lunch", isReplyOrForward: false });
    expect(baseSubject("[only a tag]").base).toBe("[only a tag]");
    expect(baseSubject(null).base).toBe("");
  });
});

describe("messageIds", () => {
  it("reads folded ids and skips text between them", () => {
    expect(messageIds("<a@x>\r\n <b@\r\n y> junk <c@z>")).toEqual(["a@x", "b@y", "c@z"]);
    expect(messageIds("no ids")).toEqual([]);
  });
});

describe("threadByReferences", () => {
  it("links a chain by References, replies under what they answer", () => {
    const trees = threadByReferences([
      msg(1, {}),
      msg(2, { references: "<m1@x>", subject: "Re: subject 1" }),
      msg(3, { references: "<m1@x> <m2@x>", subject: "Re: subject 1" }),
      msg(4, { references: "<m1@x>", subject: "Re: subject 1" }),
    ]);
    expect(trees).toEqual([
      {
        uid: 1,
        children: [
          { uid: 2, children: [{ uid: 3, children: [] }] },
          { uid: 4, children: [] },
        ],
      },
    ]);
  });

  it("keeps a thread together when the message it starts from is missing", () => {
    // 2 and 3 both reply to <gone@x>, which is not in this folder (it is in Sent)
    expect(
      groups([
        msg(2, { references: "<gone@x>", subject: "Re: plans" }),
        msg(3, { references: "<gone@x> <m2@x>", subject: "Re: something else" }),
        msg(4, {}),
      ]),
    ).toEqual([[2, 3], [4]]);
  });

  it("survives broken References: garbage, a reference to itself, loops, In-Reply-To only", () => {
    expect(
      groups([
        msg(1, { subject: "a" }),
        msg(2, { references: "not an id <m1@x", inReplyTo: "<m1@x> (sent by Bob)", subject: "b" }),
        msg(3, { references: "<m3@x>", subject: "c" }),
        msg(4, { references: "<m5@x>", subject: "d" }),
        msg(5, { references: "<m4@x>", subject: "e" }),
        msg(6, { references: "<m1@x> <m2@x>", subject: "f" }),
      ]),
    ).toEqual([[1, 2, 6], [3], [4, 5]]);
  });

  it("threads messages without a Message-ID, and a repeated Message-ID, by what they reference", () => {
    expect(
      groups([
        msg(1, { subject: "a" }),
        msg(2, { messageId: null, references: "<m1@x>", subject: "b" }),
        msg(3, { messageId: "", subject: "c" }),
        msg(4, { messageId: "<m1@x>", subject: "d" }),
        msg(5, { messageId: "<m1@x>", references: "<m1@x>", subject: "e" }),
      ]),
    ).toEqual([[1, 2, 5], [3], [4]]);
  });

  it("groups subject-only threads: a reply without headers joins the thread it names", () => {
    const trees = threadByReferences([
      msg(1, { subject: "Lunch on Friday?" }),
      msg(2, { subject: "Re: Lunch on Friday?" }),
      msg(3, { subject: "RE: [team] lunch on friday?" }),
      msg(4, { subject: "Something else" }),
      msg(5, { subject: "" }),
      msg(6, { subject: "" }),
    ]);
    expect(trees.map(threadUids).map((u) => u.sort())).toEqual([[1, 2, 3], [4], [5], [6]]);
    expect(trees[0]?.uid).toBe(1);
  });

  it("puts two unrelated messages with one subject under a dummy, as the server does", () => {
    expect(
      threadByReferences([msg(1, { subject: "Hello" }), msg(2, { subject: "Hello" })]),
    ).toEqual([
      {
        uid: null,
        children: [
          { uid: 1, children: [] },
          { uid: 2, children: [] },
        ],
      },
    ]);
  });

  it("orders conversations and replies by date", () => {
    const trees = threadByReferences([
      msg(1, { date: 5000 }),
      msg(2, { date: 1000 }),
      msg(3, { references: "<m1@x>", date: 9000 }),
      msg(4, { references: "<m1@x>", date: 6000 }),
    ]);
    expect(trees.map((t) => t.uid)).toEqual([2, 1]);
    expect(trees[1]?.children.map((c) => c.uid)).toEqual([4, 3]);
  });

  it("groups the seeded mailbox's threads: every reply with what it references, nothing else", async () => {
    const owner = { name: "Alice Example", email: "alice@ferry.test" };
    const generated = generate({ seed: 20240601, count: 600, owner, folder: "INBOX" });
    const inputs: ThreadInput[] = [];
    const refsOf = new Map<number, string[]>();
    for (const [i, g] of generated.entries()) {
      const parsed = await simpleParser(g.raw);
      const refs = parsed.references;
      const references = Array.isArray(refs) ? refs.join(" ") : (refs ?? null);
      const uid = i + 1;
      refsOf.set(uid, messageIds(references ?? parsed.inReplyTo));
      inputs.push({
        uid,
        messageId: parsed.messageId ?? null,
        references,
        inReplyTo: parsed.inReplyTo ?? null,
        subject: parsed.subject ?? "",
        date: parsed.date?.getTime() ?? null,
      });
    }
    const trees = threadByReferences(inputs);
    const threadOf = new Map<number, number>();
    trees.forEach((t, i) => {
      for (const uid of threadUids(t)) threadOf.set(uid, i);
    });
    expect(threadOf.size).toBe(inputs.length);
    const uidOfId = new Map(inputs.map((m) => [messageIds(m.messageId ?? "")[0], m.uid]));
    let linked = 0;
    for (const m of inputs) {
      for (const ref of refsOf.get(m.uid) ?? []) {
        const other = uidOfId.get(ref);
        if (other === undefined) continue;
        expect(threadOf.get(m.uid), `${m.uid} with ${other}`).toBe(threadOf.get(other));
        linked++;
      }
    }
    expect(linked).toBeGreaterThan(100);
    // members of one conversation are tied by references (through messages not here too) or
    // share a base subject: nothing unrelated is merged
    const parent = new Map<string, string>();
    const find = (k: string): string => {
      let r = k;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r) as string;
      parent.set(k, r);
      return r;
    };
    const union = (a: string, b: string) => parent.set(find(a), find(b));
    for (const m of inputs) {
      const me = `uid:${m.uid}`;
      union(me, `subject:${baseSubject(m.subject).base}`);
      const own = messageIds(m.messageId)[0];
      if (own) union(me, `id:${own}`);
      for (const ref of refsOf.get(m.uid) ?? []) union(me, `id:${ref}`);
    }
    for (const t of trees) {
      const roots = new Set(threadUids(t).map((uid) => find(`uid:${uid}`)));
      expect(roots.size).toBe(1);
    }
    // long conversations exist, and replies whose parent is in Sent still join them
    expect(trees.some((t) => threadUids(t).length >= 4)).toBe(true);
    expect(trees.length).toBeLessThan(inputs.length * 0.85);
  });

  it("groups the vendored corpus by subject, messages without a Message-ID included", async () => {
    const inputs: ThreadInput[] = [];
    for (const [i, file] of corpusFiles().entries()) {
      const parsed = await simpleParser(readFileSync(file));
      inputs.push({
        uid: i + 1,
        messageId: parsed.messageId ?? null,
        inReplyTo: parsed.inReplyTo ?? null,
        subject: parsed.subject ?? "",
        date: parsed.date?.getTime() ?? null,
      });
    }
    expect(inputs.some((m) => !m.messageId)).toBe(true);
    const expected = new Map<string, number[]>();
    const alone: number[][] = [];
    for (const m of inputs) {
      const { base } = baseSubject(m.subject);
      if (base === "") alone.push([m.uid]);
      else expected.set(base, [...(expected.get(base) ?? []), m.uid]);
    }
    const want = [...expected.values(), ...alone].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    expect(groups(inputs)).toEqual(want);
    expect(want.some((g) => g.length >= 5)).toBe(true);
  });
});

describe("parseThread (the server's THREAD answer)", () => {
  const atom = (n: number) => ({ type: "ATOM", value: String(n) });
  it("reads chains, branches and a missing root", () => {
    // (3 6 (4 23)(44 7 96))
    expect(
      parseThread([atom(3), atom(6), [atom(4), atom(23)], [atom(44), atom(7), atom(96)]]),
    ).toEqual({
      uid: 3,
      children: [
        {
          uid: 6,
          children: [
            { uid: 4, children: [{ uid: 23, children: [] }] },
            { uid: 44, children: [{ uid: 7, children: [{ uid: 96, children: [] }] }] },
          ],
        },
      ],
    });
    // ((3)(5))
    expect(parseThread([[atom(3)], [atom(5)]])).toEqual({
      uid: null,
      children: [
        { uid: 3, children: [] },
        { uid: 5, children: [] },
      ],
    });
  });
  it("skips what is not a UID and stops at the budget", () => {
    expect(parseThread([{ type: "ATOM", value: "x" }, atom(0), atom(2)])).toEqual({
      uid: 2,
      children: [],
    });
    expect(parseThread([atom(1), atom(2), atom(3)], { left: 2 })).toEqual({
      uid: 1,
      children: [{ uid: 2, children: [] }],
    });
    expect(parseThread([])).toBeNull();
  });
});
