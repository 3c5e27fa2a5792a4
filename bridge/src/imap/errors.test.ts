import { AuthenticationFailure, ImapFlowErrorCode } from "imapflow";
import { createImapError } from "imapflow/lib/errors.js";
import { describe, expect, it } from "vitest";
import { BridgeError } from "../errors";
import {
  commandAbandoned,
  commandError,
  connectError,
  connectionLost,
  failureDetail,
  isConnectionGone,
  isLoginFailure,
  isMailboxMissing,
  isOverLimit,
  reconnectError,
} from "./errors";

const C = ImapFlowErrorCode;

function nodeError(code: string, message = `socket ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

/** A tagged NO/BAD as imapflow rejects a command with it (the server's text included). */
function refusal(status: "NO" | "BAD", responseCode?: string): Error {
  return Object.assign(new Error("Command failed"), {
    responseStatus: status,
    responseText: "Server says: internal detail /var/mail/x",
    ...(responseCode === undefined ? {} : { serverResponseCode: responseCode }),
  });
}

/** Errors whose connection is gone, in every shape the bridge meets them. */
const GONE: [string, unknown][] = [
  ["closed client", createImapError("Connection not available", C.NoConnection)],
  ["socket closed under a command", createImapError("Connection closed", C.EConnectionClosed)],
  ["logged out", createImapError("Logged out", C.StateLogout)],
  ["closed after connect (text)", createImapError("closed", C.ClosedAfterConnectText)],
  ["closed after connect (TLS)", createImapError("closed", C.ClosedAfterConnectTLS)],
  ["socket inactivity timeout", createImapError("Socket timeout", C.ETIMEOUT)],
  ["connect timeout", createImapError("Timeout", C.CONNECT_TIMEOUT)],
  ["reset", nodeError("ECONNRESET")],
  ["broken pipe", nodeError("EPIPE")],
  ["socket timeout", nodeError("SocketTimeout")],
];

/** imapflow's refusals of a response over IMAP_LIMITS (imap/connect.ts). */
const OVER_LIMIT: [string, unknown][] = [
  ["literal too large", createImapError("Literal size 9 exceeds", C.LiteralTooLarge)],
  ["line too large", createImapError("Line too long", C.LineTooLarge)],
  ["response too large", createImapError("Response too large", C.ResponseTooLarge)],
  ["too many tokens", createImapError("Too many tokens", C.TooManyTokens)],
];

const SERVER_TEXT = /Server says|\/var\/mail|Command failed|socket E|boom|AUTHENTICATIONFAILED/;

describe("commandError (a command on a working connection)", () => {
  for (const [name, err] of GONE) {
    it(`${name} → connection_lost`, () => {
      const mapped = commandError(err);
      expect(mapped.code).toBe("connection_lost");
      expect(mapped.message).toBe("The connection to the mail server was lost.");
      expect(mapped.cause).toBe(err);
      expect(isConnectionGone(err)).toBe(true);
    });
  }

  for (const [name, err] of OVER_LIMIT) {
    it(`${name} → connection_lost (the connection is closed for it)`, () => {
      const mapped = commandError(err);
      expect(mapped.code).toBe("connection_lost");
      expect(mapped.message).toMatch(/sent too much or stopped answering/);
      expect(isOverLimit(err)).toBe(true);
      expect(isConnectionGone(err)).toBe(false);
    });
  }

  it("the watchdog's abandoned command passes unchanged", () => {
    const abandoned = commandAbandoned(new Error("closed by the watchdog"));
    expect(abandoned.code).toBe("connection_lost");
    expect(commandError(abandoned)).toBe(abandoned);
  });

  it("NO and BAD → server_refused with the caller's words, never the server's", () => {
    for (const status of ["NO", "BAD"] as const) {
      const mapped = commandError(refusal(status), "The mail server could not list the folders.");
      expect(mapped.code).toBe("server_refused");
      expect(mapped.message).toBe("The mail server could not list the folders.");
    }
    expect(commandError(refusal("NO")).message).toBe("The mail server refused the request.");
  });

  it("NO [READ-ONLY] and NO [NOPERM] → read_only", () => {
    expect(commandError(refusal("NO", "READ-ONLY")).code).toBe("read_only");
    expect(commandError(refusal("NO", "noperm")).code).toBe("read_only");
  });

  it("a missing mailbox → mailbox_not_found, however the server says it", () => {
    const missing = [
      Object.assign(new Error("Mailbox doesn't exist"), { mailboxMissing: true }),
      refusal("NO", "NONEXISTENT"),
      refusal("NO", "TRYCREATE"),
    ];
    for (const err of missing) {
      expect(isMailboxMissing(err)).toBe(true);
      expect(commandError(err).code).toBe("mailbox_not_found");
    }
    expect(isMailboxMissing(refusal("NO"))).toBe(false);
  });

  it("a value IMAP cannot carry → bad_request, before anything is sent", () => {
    const err = createImapError("Invalid string", C.InvalidStringValue);
    expect(commandError(err).code).toBe("bad_request");
  });

  it("anything else → internal; a BridgeError passes unchanged", () => {
    expect(commandError(new TypeError("boom")).code).toBe("internal");
    expect(commandError("boom").code).toBe("internal");
    expect(commandError(null).code).toBe("internal");
    expect(commandError(createImapError("locked", C.LockTimeout)).code).toBe("internal");
    const own = new BridgeError("message_not_found", "gone");
    expect(commandError(own)).toBe(own);
  });

  it("never carries the server's words", () => {
    const all = [...GONE, ...OVER_LIMIT].map(([, err]) => err);
    all.push(refusal("NO"), refusal("BAD", "READ-ONLY"), new Error("boom"));
    for (const err of all) expect(commandError(err).message).not.toMatch(SERVER_TEXT);
  });
});

describe("connectError (connecting and logging in)", () => {
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
    ["refused", nodeError("ECONNREFUSED"), "host_unreachable"],
    ["no such host", nodeError("ENOTFOUND"), "host_unreachable"],
    ["reset", nodeError("ECONNRESET"), "host_unreachable"],
    ["timeout", createImapError("Timeout", C.CONNECT_TIMEOUT), "host_unreachable"],
    ["greeting timeout", createImapError("Timeout", C.GREETING_TIMEOUT), "host_unreachable"],
    [
      "closed before the greeting",
      createImapError("closed", C.ClosedAfterConnectText),
      "host_unreachable",
    ],
    ["greeting over a limit", createImapError("Line too long", C.LineTooLarge), "host_unreachable"],
    ["unknown", new Error("boom"), "host_unreachable"],
    ["self-signed", nodeError("DEPTH_ZERO_SELF_SIGNED_CERT"), "tls_failed"],
    ["expired", nodeError("CERT_HAS_EXPIRED"), "tls_failed"],
    ["wrong name", nodeError("ERR_TLS_CERT_ALTNAME_INVALID"), "tls_failed"],
    ["wrong protocol", nodeError("ERR_SSL_WRONG_VERSION_NUMBER"), "tls_failed"],
    ["closed during TLS", createImapError("closed", C.ClosedAfterConnectTLS), "tls_failed"],
    ["STARTTLS timeout", createImapError("Timeout", C.UPGRADE_TIMEOUT), "tls_failed"],
    ["STARTTLS injection", createImapError("injected", C.STARTTLS_INJECTION), "tls_failed"],
    ["no STARTTLS", { tlsFailed: true, message: "Server does not support STARTTLS" }, "tls_failed"],
    [
      "wrapped",
      { code: "NoConnection", _err: { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" } },
      "tls_failed",
    ],
    [
      "wrapped as cause",
      new Error("failed", { cause: nodeError("SELF_SIGNED_CERT_IN_CHAIN") }),
      "tls_failed",
    ],
  ];
  for (const [name, err, code] of cases) {
    it(`${name} → ${code}`, () => {
      const mapped = connectError(err);
      expect(mapped.code).toBe(code);
      expect(mapped.message).not.toMatch(SERVER_TEXT);
      expect(mapped.message).not.toMatch(/STARTTLS/);
    });
  }

  it("a user-named server: every failure but a refused login is one host_unreachable", () => {
    for (const [, err, code] of cases) {
      const mapped = connectError(err, { userNamed: true });
      if (code === "auth_failed" || code === "login_refused") {
        expect(mapped.code).toBe(code);
      } else {
        expect(mapped.code).toBe("host_unreachable");
        expect(mapped.message).toBe("Could not reach a mail server at that address.");
      }
    }
  });

  it("the watchdog's abandoned login passes unchanged, named or pinned", () => {
    const abandoned = commandAbandoned(new Error("silent"));
    expect(connectError(abandoned)).toBe(abandoned);
    expect(connectError(abandoned, { userNamed: true })).toBe(abandoned);
  });

  it("failureDetail names the innermost code there is, for logs", () => {
    expect(failureDetail(nodeError("ECONNREFUSED"))).toBe("ECONNREFUSED");
    expect(failureDetail({ _err: { code: "CERT_HAS_EXPIRED" } })).toBe("CERT_HAS_EXPIRED");
    expect(failureDetail(new Error("no code"))).toBeUndefined();
  });
});

describe("reconnectError (another connection for a signed-in session)", () => {
  it("a refused login stops there: auth_failed or login_refused", () => {
    const wrong = { authenticationFailed: true, serverResponseCode: "AUTHENTICATIONFAILED" };
    expect(isLoginFailure(wrong)).toBe(true);
    expect(reconnectError(wrong).code).toBe("auth_failed");
    expect(reconnectError(new AuthenticationFailure("Login is disabled")).code).toBe(
      "login_refused",
    );
  });

  it("anything else is a lost connection, to be retried", () => {
    for (const err of [nodeError("ECONNREFUSED"), ...GONE.map(([, e]) => e), new Error("boom")]) {
      expect(isLoginFailure(err)).toBe(false);
      expect(reconnectError(err).code).toBe("connection_lost");
    }
  });

  it("the connect factory's BridgeErrors pass unchanged", () => {
    const refused = new BridgeError("login_refused", "refused");
    expect(isLoginFailure(refused)).toBe(true);
    expect(isLoginFailure(new BridgeError("auth_failed", "wrong"))).toBe(true);
    expect(isLoginFailure(new BridgeError("host_unreachable", "down"))).toBe(false);
    expect(reconnectError(refused)).toBe(refused);
    expect(reconnectError(connectionLost()).message).toBe(
      "The connection to the mail server was lost.",
    );
  });
});
