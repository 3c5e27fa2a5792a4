import { createServer, type Server } from "node:net";
import { AuthenticationFailure } from "imapflow";
import { afterEach, describe, expect, it } from "vitest";
import { classifyImapError, connectImap } from "./connect";

describe("classifyImapError", () => {
  const cases: [string, unknown, string][] = [
    [
      "wrong credentials",
      Object.assign(new Error("Command failed"), {
        authenticationFailed: true,
        serverResponseCode: "AUTHENTICATIONFAILED",
        response: "NO [AUTHENTICATIONFAILED] Authentication failed.",
      }),
      "auth_failed",
    ],
    ["NO without a code", { authenticationFailed: true }, "auth_failed"],
    [
      "account disabled",
      { authenticationFailed: true, serverResponseCode: "CONTACTADMIN" },
      "login_refused",
    ],
    [
      "server unavailable",
      { authenticationFailed: true, serverResponseCode: "UNAVAILABLE" },
      "login_refused",
    ],
    [
      "privacy required",
      { authenticationFailed: true, serverResponseCode: "PRIVACYREQUIRED" },
      "login_refused",
    ],
    ["LOGINDISABLED", new AuthenticationFailure("Login is disabled"), "login_refused"],
    ["refused", { code: "ECONNREFUSED" }, "host_unreachable"],
    ["no such host", { code: "ENOTFOUND" }, "host_unreachable"],
    ["timeout", { code: "CONNECT_TIMEOUT" }, "host_unreachable"],
    ["greeting timeout", { code: "GREETING_TIMEOUT" }, "host_unreachable"],
    ["unknown", new Error("boom"), "host_unreachable"],
    ["self-signed", { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }, "tls_failed"],
    ["expired", { code: "CERT_HAS_EXPIRED" }, "tls_failed"],
    ["wrong name", { code: "ERR_TLS_CERT_ALTNAME_INVALID" }, "tls_failed"],
    ["wrong protocol", { code: "ERR_SSL_WRONG_VERSION_NUMBER" }, "tls_failed"],
    ["no STARTTLS", { tlsFailed: true, message: "Server does not support STARTTLS" }, "tls_failed"],
    [
      "wrapped",
      { code: "NoConnection", _err: { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" } },
      "tls_failed",
    ],
  ];
  for (const [name, err, code] of cases) {
    it(`${name} → ${code}`, () => {
      const mapped = classifyImapError(err);
      expect(mapped.code).toBe(code);
      expect(mapped.message).not.toMatch(/AUTHENTICATIONFAILED|Command failed|STARTTLS|boom/);
    });
  }
});

describe("connectImap", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  });

  it("refuses a STARTTLS server that does not offer STARTTLS, before sending credentials", async () => {
    const received: string[] = [];
    server = createServer((socket) => {
      socket.on("error", () => {});
      socket.write("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plain-text server ready\r\n");
      socket.on("data", (d) => {
        received.push(d.toString());
        const tag = d.toString().split(" ")[0];
        if (/CAPABILITY/i.test(d.toString())) {
          socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
        } else {
          socket.write(`${tag} OK whatever\r\n`);
        }
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await expect(
      connectImap(
        { host: "127.0.0.1", port, security: "starttls" },
        { user: "alice", password: "secret-never-sent" },
        { connectTimeoutMs: 3000 },
      ),
    ).rejects.toMatchObject({ code: "tls_failed" });
    expect(received.join("")).not.toMatch(/LOGIN|AUTHENTICATE|secret-never-sent/);
  });
});
