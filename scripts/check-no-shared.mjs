#!/usr/bin/env node
// Fails when a file of the repository (tracked, or new and not ignored) outside the docs reads
// the workspace's sibling folder `../shared`. A clone has no such folder: tests and tools must use
// what the repository holds (the test corpus is vendored in packages/mail-server/corpus).
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const self = relative(root, import.meta.filename);
/** `../shared`, `"..", "shared"` (path.join arguments), `shared/corpus`, `"shared", "corpus"`. */
const patterns = [
  /\.\.(?:[\\/]|["'`]\s*,\s*["'`])shared\b/,
  /\bshared(?:[\\/]|["'`]\s*,\s*["'`])corpus\b/,
];

const files = execFileSync(
  "git",
  ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
  { cwd: root, maxBuffer: 64 * 1024 * 1024 },
)
  .toString("utf8")
  .split("\0")
  .filter((f) => f && f !== self && !f.startsWith("docs/") && !f.endsWith(".md"));

const found = [];
for (const file of files) {
  const path = resolve(root, file);
  let text;
  try {
    if (!statSync(path).isFile()) continue;
    text = readFileSync(path, "latin1");
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  for (const pattern of patterns) {
    const hit = pattern.exec(text);
    if (hit) found.push(`${file}: ${hit[0]}`);
  }
}

if (found.length > 0) {
  console.error("These files read ../shared, which a clone does not have:");
  for (const line of found) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`check-no-shared: ${files.length} files, none reads ../shared`);
