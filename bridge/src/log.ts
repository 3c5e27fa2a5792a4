/**
 * The bridge's logger: pino, JSON lines, with secrets redacted by path. Request bodies are never
 * logged; passwords, cookies and authorization headers are censored wherever they appear under
 * the usual names, as a second line of defence.
 */
import type { ImapFlowOptions } from "imapflow";
import { type DestinationStream, type Level, type Logger, pino } from "pino";

export type { Logger } from "pino";
export type LogLevel = Level | "silent";

/** Paths pino censors in every log line. */
export const REDACT_PATHS = [
  "password",
  "pass",
  "*.password",
  "*.pass",
  "*.*.password",
  "*.*.pass",
  "cookie",
  "*.cookie",
  "headers.cookie",
  "headers.authorization",
  'headers["set-cookie"]',
  "req.headers.cookie",
  "req.headers.authorization",
  'res.headers["set-cookie"]',
  "sessionId",
  "*.sessionId",
];

/** Creates the root logger; `destination` lets tests capture the output. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "ferry-bridge" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

type ImapLogger = Exclude<NonNullable<ImapFlowOptions["logger"]>, false>;

/**
 * imapflow's logger, routed to ours at debug: its connection-level info, warnings and errors
 * (the bridge classifies and logs failures itself); its per-command debug/trace lines, which
 * carry message content, are dropped. Returns false (imapflow logging off) unless debug is on.
 */
export function imapLogger(log: Logger): ImapLogger | false {
  if (!log.isLevelEnabled("debug")) return false;
  const forward = (obj: unknown) => {
    if (typeof obj !== "object" || obj === null) return;
    const { msg, cid, err } = obj as { msg?: unknown; cid?: unknown; err?: unknown };
    log.debug({
      imap: {
        cid,
        msg: typeof msg === "string" ? msg : undefined,
        err:
          err instanceof Error ? { code: (err as { code?: unknown }).code ?? err.name } : undefined,
      },
    });
  };
  return {
    debug: () => {},
    trace: () => {},
    info: forward,
    warn: forward,
    error: forward,
    fatal: forward,
  };
}
