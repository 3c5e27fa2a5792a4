import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appCsp, inlineScriptHashes } from "./static";

const sha = (s: string) => `sha256-${createHash("sha256").update(s).digest("base64")}`;

describe("inline script hashes", () => {
  it("hashes inline scripts only, exactly as written", () => {
    const html = `<html><head><script src="/_next/a.js" async></script>
<script>(self.__next_f=self.__next_f||[]).push([0])</script></head>
<body><script type="application/json">{"a":1}</script><SCRIPT nonce="x">self.__next_f.push([1,"a</b>"])</SCRIPT>
<script type="module">import "x"</script><script></script></body></html>`;
    expect(inlineScriptHashes(html).sort()).toEqual(
      [
        sha("(self.__next_f=self.__next_f||[]).push([0])"),
        sha('self.__next_f.push([1,"a</b>"])'),
        sha('import "x"'),
        sha(""),
      ].sort(),
    );
  });

  it("builds a strict CSP and echoes only a well-formed host", () => {
    const csp = appCsp(["sha256-abc"], "localhost:3000");
    expect(csp).toContain("script-src 'self' 'sha256-abc'");
    expect(csp).toContain("connect-src 'self' ws://localhost:3000 wss://localhost:3000");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(appCsp([], "evil.com; script-src *")).toContain("connect-src 'self';");
  });
});
