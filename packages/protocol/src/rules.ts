/**
 * Rules on the server: filters and the vacation reply as structured data (the bridge turns them
 * into one Sieve script it owns, managed over ManageSieve), the frames that read, save and
 * activate them, run a rule on mail already there, report spam / not spam, and unsubscribe.
 *
 * Every text a user types here ends up in a Sieve script: the bridge escapes it, and the schema
 * bounds it. A forward address must be a plain addr-spec (`isMailAddress`), checked before
 * anything is saved.
 */
import { z } from "zod";
import { isMailAddress } from "./compose";
import { ZMessageRef, ZUidSet } from "./model";

const ZId = z.string().min(1).max(64);
const ZPath = z.string().min(1).max(1024);

/** Rules one user may keep. */
export const MAX_RULES = 100;
/** Conditions, and apart actions, of one rule. */
export const MAX_RULE_PARTS = 20;
/** The name of the one script Ferry writes and activates on the ManageSieve server. */
export const FERRY_SCRIPT_NAME = "ferry";
/** UIDs a `rules.apply` search reports and acts on at most. */
export const MAX_APPLY_UIDS = 10_000;

/** How a text condition compares: substring, whole value, or a glob (`*` and `?`). */
export const ZMatch = z.enum(["contains", "is", "matches"]);
export type TMatch = z.infer<typeof ZMatch>;

const zValue = z.string().max(1000);

/** From, To or Cc, Subject, List-Id: `header` of the message compared with `value`. */
const textCondition = <F extends "from" | "to" | "subject" | "list-id">(field: F) =>
  z.object({
    field: z.literal(field),
    match: ZMatch,
    value: zValue,
    not: z.boolean().default(false),
  });

/** A header field name (RFC 5322 §3.6.8: printable ASCII but the colon). */
export const ZHeaderName = z
  .string()
  .min(1)
  .max(76)
  .regex(/^[\x21-\x39\x3b-\x7e]+$/, { message: "not a header name" });

export const ZRuleCondition = z.discriminatedUnion("field", [
  textCondition("from"),
  /** To or Cc. */
  textCondition("to"),
  textCondition("subject"),
  textCondition("list-id"),
  z.object({
    field: z.literal("header"),
    name: ZHeaderName,
    match: ZMatch,
    value: zValue,
    not: z.boolean().default(false),
  }),
  /** Larger (`over`) or smaller than `bytes`. */
  z.object({
    field: z.literal("size"),
    over: z.boolean(),
    bytes: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40),
    not: z.boolean().default(false),
  }),
  /** Has (or, with `not`, has no) attachment: a part with Content-Disposition attachment. */
  z.object({ field: z.literal("attachment"), not: z.boolean().default(false) }),
]);
export type TRuleCondition = z.infer<typeof ZRuleCondition>;

/** An IMAP keyword (RFC 3501 atom: printable ASCII without ( ) { SP % * " \ ]), not a system flag. */
export const ZKeyword = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]+$/, { message: "not a keyword" });

export const ZRuleAction = z.discriminatedUnion("type", [
  /** fileinto (RFC 5228 §4.1). */
  z.object({ type: z.literal("move"), folder: ZPath }),
  /** fileinto :copy (RFC 3894): the message stays where it would have gone too. */
  z.object({ type: z.literal("copy"), folder: ZPath }),
  /** addflag \Seen (RFC 5232). */
  z.object({ type: z.literal("mark-read") }),
  /** addflag \Flagged. */
  z.object({ type: z.literal("star") }),
  z.object({ type: z.literal("keyword"), keyword: ZKeyword }),
  /** redirect (RFC 5228 §4.2), with `keepCopy` also kept (redirect :copy). */
  z.object({
    type: z.literal("forward"),
    address: z.string().refine(isMailAddress, { message: "not an email address" }),
    keepCopy: z.boolean().default(true),
  }),
  /** discard. */
  z.object({ type: z.literal("delete") }),
  /** stop: later rules do not run. */
  z.object({ type: z.literal("stop") }),
]);
export type TRuleAction = z.infer<typeof ZRuleAction>;

export const ZRule = z.object({
  id: ZId,
  name: z.string().max(200),
  enabled: z.boolean().default(true),
  /** All conditions must hold, or any one. */
  match: z.enum(["all", "any"]).default("all"),
  conditions: z.array(ZRuleCondition).min(1).max(MAX_RULE_PARTS),
  actions: z.array(ZRuleAction).min(1).max(MAX_RULE_PARTS),
});
export type TRule = z.infer<typeof ZRule>;
export type TRuleInput = z.input<typeof ZRule>;

const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be YYYY-MM-DD" });

/** The vacation reply (RFC 5230). Dates are inclusive, in the server's time zone. */
export const ZVacation = z.object({
  enabled: z.boolean(),
  start: ZDay.nullable().default(null),
  end: ZDay.nullable().default(null),
  subject: z.string().max(500),
  message: z.string().max(20_000),
  /** More addresses of the user it answers mail to (`:addresses`), besides the sign-in one. */
  addresses: z
    .array(z.string().refine(isMailAddress, { message: "not an email address" }))
    .max(20)
    .default([]),
  /** Days before the same sender gets the reply again (`:days`). */
  days: z.number().int().min(1).max(365).default(7),
});
export type TVacation = z.infer<typeof ZVacation>;

/** What Ferry's script holds: the filters in order, then the vacation reply. */
export const ZRuleSet = z.object({
  rules: z.array(ZRule).max(MAX_RULES),
  vacation: ZVacation,
});
export type TRuleSet = z.infer<typeof ZRuleSet>;

export const DEFAULT_VACATION: TVacation = {
  enabled: false,
  start: null,
  end: null,
  subject: "",
  message: "",
  addresses: [],
  days: 7,
};

// ---------------------------------------------------------------------------------------------
// Client → bridge
// ---------------------------------------------------------------------------------------------

/** The rules, the vacation reply, a foreign active script and what the server can do. */
export const ZRulesGet = z.object({ type: z.literal("rules.get"), id: ZId });

/**
 * Checks (CHECKSCRIPT) and stores Ferry's script, then activates it unless another script that
 * is not Ferry's is active: that one stays active (the reply names it) until `rules.activate`.
 * On any failure the script active before is untouched.
 */
export const ZRulesSave = z.object({
  type: z.literal("rules.save"),
  id: ZId,
  rules: z.array(ZRule).max(MAX_RULES),
  vacation: ZVacation,
});

/**
 * The user's choice about a foreign active script: `ferry` activates Ferry's script (the other
 * stays stored on the server, unchanged, as the copy), `foreign` keeps (or makes again) the
 * named script active.
 */
export const ZRulesActivate = z.object({
  type: z.literal("rules.activate"),
  id: ZId,
  use: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("ferry") }),
    z.object({ kind: z.literal("foreign"), name: z.string().min(1).max(512) }),
  ]),
});

/**
 * "Apply to existing mail": without `uids`, searches `mailbox` (INBOX by default) with the rule's
 * conditions and answers the matching UIDs; with `uids` (a subset of those), applies the rule's
 * actions to them. Forward is not applied to mail already there.
 */
export const ZRulesApply = z.object({
  type: z.literal("rules.apply"),
  id: ZId,
  rule: ZRule,
  mailbox: ZPath.default("INBOX"),
  uids: z.array(z.number().int().positive()).min(1).max(MAX_APPLY_UIDS).optional(),
});

/**
 * Report spam (`spam`: set $Junk, remove $NotJunk, move to the \Junk folder), not spam
 * (`not_spam`: set $NotJunk, remove $Junk, move to INBOX), or undo either (`none`: remove both,
 * move to `to`). `to` overrides the destination; `none` needs it.
 */
export const ZMessagesSpam = z
  .object({
    type: z.literal("messages.spam"),
    id: ZId,
    set: ZUidSet,
    verdict: z.enum(["spam", "not_spam", "none"]),
    to: ZPath.optional(),
  })
  .refine((f) => f.verdict !== "none" || f.to !== undefined, {
    message: "undo needs the folder to move back to",
    path: ["to"],
  });

/**
 * Unsubscribe from the list a message came from, by its List-Unsubscribe header (read by the
 * bridge, never taken from the browser): one-click POST (RFC 8058) when the message offers it,
 * else the mailto: to send or the https link to confirm.
 */
export const ZUnsubscribe = z.object({ type: z.literal("unsubscribe"), id: ZId, ref: ZMessageRef });

export const RULES_CLIENT_FRAMES = [
  ZRulesGet,
  ZRulesSave,
  ZRulesActivate,
  ZRulesApply,
  ZMessagesSpam,
  ZUnsubscribe,
] as const;

// ---------------------------------------------------------------------------------------------
// Bridge → client
// ---------------------------------------------------------------------------------------------

/** A script on the server that is not Ferry's, shown read-only. */
export const ZForeignScript = z.object({
  name: z.string(),
  /** Its text (at most MAX_FOREIGN_SCRIPT_CHARS). */
  script: z.string(),
  truncated: z.boolean(),
});
export type TForeignScript = z.infer<typeof ZForeignScript>;
export const MAX_FOREIGN_SCRIPT_CHARS = 256 * 1024;

export const ZRulesState = z.object({
  type: z.literal("rules"),
  id: ZId,
  rules: z.array(ZRule),
  vacation: ZVacation,
  /** Ferry's script is the active one. */
  active: z.boolean(),
  /** The active script when it is not Ferry's, else null. */
  foreign: ZForeignScript.nullable(),
  /** Names of every script on the server. */
  scripts: z.array(z.string()),
  /** The server's Sieve extensions (its SIEVE capability). */
  extensions: z.array(z.string()),
  /** The vacation reply's start and end dates can be kept (the date and relational extensions). */
  vacationDates: z.boolean(),
  /**
   * Ferry's script exists but its rules could not be read back (edited by hand elsewhere): the
   * lists above are empty and saving replaces it.
   */
  unreadable: z.boolean(),
});
export type TRulesState = z.infer<typeof ZRulesState>;

export const ZRulesApplied = z.object({
  type: z.literal("rules.applied"),
  id: ZId,
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  /** Matching UIDs (a search), or the UIDs acted on. */
  uids: z.array(z.number().int().positive()),
  /** More matched than MAX_APPLY_UIDS: `uids` holds the newest. */
  truncated: z.boolean(),
  /** False for a search, true once the actions ran. */
  applied: z.boolean(),
});

/**
 * How the unsubscribe went: `post`, the bridge made the one-click POST and the list's server
 * accepted it (`host` names it); `mailto`, send this message (compose.send) to unsubscribe;
 * `link`, open `url` once the user confirms where it goes; `none`, no usable List-Unsubscribe.
 */
export const ZUnsubscribed = z.object({
  type: z.literal("unsubscribed"),
  id: ZId,
  method: z.enum(["post", "mailto", "link", "none"]),
  host: z.string().optional(),
  url: z.string().optional(),
  mailto: z.object({ to: z.string(), subject: z.string(), body: z.string() }).optional(),
});
export type TUnsubscribed = z.infer<typeof ZUnsubscribed>;

export const RULES_SERVER_FRAMES = [ZRulesState, ZRulesApplied, ZUnsubscribed] as const;

/** The rules frames of `ZClientFrame`: the bridge answers them apart (bridge/src/ws/rules-frames.ts). */
export type TRulesClientFrame = z.infer<(typeof RULES_CLIENT_FRAMES)[number]>;

const rulesTypes: ReadonlySet<string> = new Set(
  RULES_CLIENT_FRAMES.map((schema) => schema.shape.type.value),
);

export function isRulesClientFrame<F extends { type: string }>(
  frame: F,
): frame is Extract<F, TRulesClientFrame> {
  return rulesTypes.has(frame.type);
}
