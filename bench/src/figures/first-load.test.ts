import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureFirstLoad } from "./first-load";

describe("measureFirstLoad", () => {
  it("counts each script src once, skips nomodule, and adds inline scripts", () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-bench-web-"));
    mkdirSync(join(dir, "_next", "static", "chunks"), { recursive: true });
    writeFileSync(join(dir, "_next/static/chunks/a.js"), "console.log('a');".repeat(100));
    writeFileSync(join(dir, "_next/static/chunks/poly.js"), "x".repeat(1000));
    writeFileSync(
      join(dir, "index.html"),
      '<html><head><script src="/_next/static/chunks/a.js" async=""></script>' +
        '<script src="/_next/static/chunks/poly.js" noModule=""></script></head><body>' +
        '<script src="/_next/static/chunks/a.js" async=""></script><script>self.x=1</script></body></html>',
    );
    const fl = measureFirstLoad(dir);
    expect(fl.files.map((f) => f.src)).toEqual(["/_next/static/chunks/a.js"]);
    expect(fl.files[0]?.raw).toBe(1700);
    expect(fl.files[0]?.gzip).toBeLessThan(100);
    expect(fl.inline.raw).toBe("self.x=1".length);
  });
});
