/**
 * The SQLite store's file: created private, migrated with a schema version, and never reset when
 * it cannot be used (corrupt, not writable, from a newer Ferry): a clear error at start instead.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION, SQLITE_FILE, SqliteStore } from "./sqlite";
import { StoreError } from "./store";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ferry-sqlite-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

describe("SqliteStore", () => {
  it("creates its directory (700) and file (600, its WAL too) and records the schema version", async () => {
    const dir = join(tempDir(), "nested", "data");
    const store = new SqliteStore(dir);
    await store.set("k", "v");
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, SQLITE_FILE))).toBe(0o600);
    expect(mode(join(dir, `${SQLITE_FILE}-wal`))).toBe(0o600);
    await store.close();
    const db = new Database(join(dir, SQLITE_FILE), { readonly: true });
    expect(db.prepare("SELECT version FROM schema_version").all()).toEqual([
      { version: SCHEMA_VERSION },
    ]);
    db.close();
  });

  it("tightens a store file others could read, and keeps what it holds across opens", async () => {
    const dir = tempDir();
    const first = new SqliteStore(dir);
    await first.set("session:k", "record");
    await first.close();
    chmodSync(join(dir, SQLITE_FILE), 0o644);
    const second = new SqliteStore(dir);
    expect(mode(join(dir, SQLITE_FILE))).toBe(0o600);
    expect(await second.get("session:k")).toBe("record");
    await second.close();
  });

  it("refuses a corrupt file with an error naming it, and leaves it as it was", () => {
    const dir = tempDir();
    const file = join(dir, SQLITE_FILE);
    const garbage = Buffer.from("this is not a database ".repeat(300));
    writeFileSync(file, garbage, { mode: 0o600 });
    let error: unknown;
    try {
      new SqliteStore(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain("FERRY_DATA_DIR");
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/not a database/);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it("refuses a data directory it cannot create or write", () => {
    const parent = tempDir();
    writeFileSync(join(parent, "a-file"), "x");
    expect(() => new SqliteStore(join(parent, "a-file", "data"))).toThrow(
      /FERRY_DATA_DIR: cannot create .*a-file\/data\/ferry\.sqlite.*ENOTDIR/,
    );
    const dir = tempDir();
    mkdirSync(join(dir, SQLITE_FILE));
    expect(() => new SqliteStore(dir)).toThrow(StoreError);
  });

  it("refuses a store written by a newer Ferry instead of downgrading it", async () => {
    const dir = tempDir();
    await new SqliteStore(dir).close();
    const db = new Database(join(dir, SQLITE_FILE));
    db.prepare("UPDATE schema_version SET version = ?").run(SCHEMA_VERSION + 1);
    db.close();
    expect(() => new SqliteStore(dir)).toThrow(/newer Ferry \(schema \d+; this bridge knows up to/);
  });
});
