// Unit tests for the Maildir++ writer (layout, file names, flags, mtimes, streaming, errors).

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GeneratedMessage, generate, generateMessages } from "./generate";
import { maildirFlags, maildirFolderPath, writeMaildir } from "./maildir";

const owner = { name: "Alice Example", email: "alice@ferry.test" };
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "ferry-seed-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const NAME = /^(\d+)\.P\d+R[0-9a-z]+T[0-9a-z]+_(\d{7})\.ferry,S=(\d+),W=(\d+):2,([A-Z]*)$/;

describe("maildirFlags / maildirFolderPath", () => {
  it("orders info flags alphabetically", () => {
    expect(maildirFlags({ seen: true, flagged: true, answered: true, draft: true })).toBe("DFRS");
    expect(maildirFlags({ seen: true, flagged: true, answered: false, draft: false })).toBe("FS");
    expect(maildirFlags({ seen: false, flagged: false, answered: false, draft: false })).toBe("");
  });

  it("maps IMAP names to Maildir++ directories", () => {
    expect(maildirFolderPath("/m", "INBOX")).toBe("/m");
    expect(maildirFolderPath("/m", "inbox")).toBe("/m");
    expect(maildirFolderPath("/m", "Sent")).toBe("/m/.Sent");
    expect(maildirFolderPath("/m", "Archive/2024")).toBe("/m/.Archive.2024");
    expect(() => maildirFolderPath("/m", "a.b")).toThrow();
  });
});

describe("writeMaildir", () => {
  it("writes every message into cur/ with size, flags and mtime = arrival date", async () => {
    const msgs = generate({ seed: 1, count: 250, owner, folder: "Archive" });
    const stats = await writeMaildir(root, "Archive", msgs, { concurrency: 8 });
    const dir = join(root, ".Archive");
    expect((await readdir(dir)).sort()).toEqual(["cur", "maildirfolder", "new", "tmp"]);
    expect(await readdir(join(dir, "new"))).toEqual([]);
    const files = await readdir(join(dir, "cur"));
    expect(files).toHaveLength(250);
    expect(stats.count).toBe(250);
    expect(stats.unseen).toBe(msgs.filter((m) => !m.flags.seen).length);
    expect(stats.flagged).toBe(msgs.filter((m) => m.flags.flagged).length);
    expect(stats.bytes).toBe(msgs.reduce((n, m) => n + m.raw.length, 0));

    for (const f of files) {
      const match = NAME.exec(f);
      expect(match, f).not.toBeNull();
      const [, secs, n, size, vsize, flags] = match as unknown as string[];
      const m = msgs[Number(n)] as GeneratedMessage;
      const path = join(dir, "cur", f);
      const [content, st] = await Promise.all([readFile(path), stat(path)]);
      expect(content.equals(m.raw)).toBe(true);
      expect(Number(size)).toBe(content.length);
      expect(Number(vsize)).toBe(content.length); // already CRLF
      expect(flags).toBe(maildirFlags(m.flags));
      expect(Number(secs)).toBe(Math.floor(m.date.getTime() / 1000));
      expect(st.mtimeMs).toBe(m.date.getTime());
    }
    // names sort in date order, which is how Dovecot assigns UIDs to new files
    const byName = files
      .slice()
      .sort((a, b) => Number(a.split(".")[0]) - Number(b.split(".")[0]) || a.localeCompare(b));
    const idx = byName.map((f) => Number(NAME.exec(f)?.[2]));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  });

  it("writes INBOX at the root and streams from a generator without collecting it", async () => {
    let pulled = 0;
    function* counted() {
      for (const m of generateMessages({ seed: 2, count: 300, owner, folder: "INBOX" })) {
        pulled++;
        yield m;
      }
    }
    const stats = await writeMaildir(root, "INBOX", counted(), { concurrency: 4 });
    expect(pulled).toBe(300);
    expect(stats.count).toBe(300);
    expect(await readdir(join(root, "cur"))).toHaveLength(300);
    await expect(stat(join(root, "maildirfolder"))).rejects.toThrow();
  });

  it("appends a second run next to existing mail without clobbering it", async () => {
    const a = generate({ seed: 3, count: 20, owner, folder: "Sent" });
    await writeMaildir(root, "Sent", a);
    await writeMaildir(root, "Sent", a);
    expect(await readdir(join(root, ".Sent", "cur"))).toHaveLength(40);
  });

  it("computes W= for bare-LF content", async () => {
    const m: GeneratedMessage = {
      ...(generate({ seed: 4, count: 1, owner, folder: "INBOX" })[0] as GeneratedMessage),
      raw: Buffer.from("Subject: x\nFrom: a@b\n\nhello\n"),
    };
    await writeMaildir(root, "INBOX", [m]);
    const [f] = await readdir(join(root, "cur"));
    // 4 bare LFs, each becomes CRLF in Dovecot's virtual size
    expect(f).toContain(`,S=${m.raw.length},W=${m.raw.length + 4}:2,`);
  });

  it("rejects when the maildir cannot be written", async () => {
    const file = join(root, "not-a-dir");
    await writeFile(file, "x");
    const msgs = generate({ seed: 5, count: 3, owner, folder: "INBOX" });
    await expect(writeMaildir(file, "INBOX", msgs)).rejects.toThrow();
  });
});
