/**
 * Rules and spam on mail already in a mailbox, over IMAP: "apply to existing mail" (a rule's
 * conditions as UID SEARCHes, one per condition, combined by the rule's all/any; newest
 * MAX_APPLY_UIDS matches; then its actions on chosen UIDs),
 * and report spam / not spam (keywords $Junk / $NotJunk, then a move through imap/actions.ts so
 * the reply is the same `messages.moved` an Undo works from).
 *
 * IMAP SEARCH matches substrings only: `is` and `matches` conditions are searched as substrings
 * (for `matches`, of the longest run of text between wildcards), so a search may offer a few more
 * messages than the Sieve rule would file at delivery; the user sees them before acting.
 */
import { MAX_APPLY_UIDS, type TRule, type TRuleCondition, type TUidSet } from "@ferry/protocol";
import type { ImapFlow, SearchObject } from "imapflow";
import { BridgeError } from "../errors";
import {
  type ActionOptions,
  copyMessages,
  deleteMessages,
  type MoveResult,
  moveMessages,
  moveToRole,
  updateFlags,
} from "./actions";
import { uidValidityOf, withMailbox } from "./mailbox-access";
import { specialFolder } from "./mailboxes";

function needle(c: { match: string; value: string }): string {
  if (c.match !== "matches") return c.value;
  return c.value.split(/[*?]/).reduce((a, b) => (b.length > a.length ? b : a), "");
}

function conditionQuery(c: TRuleCondition): SearchObject {
  const q: SearchObject = (() => {
    switch (c.field) {
      case "from":
        return { from: needle(c) };
      case "to":
        return { or: [{ to: needle(c) }, { cc: needle(c) }] };
      case "subject":
        return { subject: needle(c) };
      case "list-id":
        return { header: { "list-id": needle(c) } };
      case "header":
        return { header: { [c.name]: needle(c) } };
      case "size":
        return c.over ? { larger: c.bytes } : { smaller: c.bytes };
      case "attachment":
        // set at delivery by Dovecot's mail_attachment_detection_options (and Gmail-likes)
        return { keyword: "$HasAttachment" };
    }
  })();
  return c.not ? { not: q } : q;
}

export interface RuleMatches {
  mailbox: string;
  uidValidity: number;
  uids: number[];
  truncated: boolean;
}

/** The UIDs in `mailbox` the rule's conditions match (newest MAX_APPLY_UIDS). */
export function searchRule(client: ImapFlow, mailbox: string, rule: TRule): Promise<RuleMatches> {
  return withMailbox(client, mailbox, { readOnly: true }, async (box) => {
    // one SEARCH per condition, combined here: imapflow merges the keys of one search object
    let matched: number[] | null = null;
    for (const condition of rule.conditions) {
      const found = await client.search(conditionQuery(condition), { uid: true });
      if (found === false) {
        throw new BridgeError("server_refused", "The mail server could not run this search.");
      }
      const uids = new Set<number>(found);
      if (matched === null) matched = [...uids];
      else if (rule.match === "all") matched = matched.filter((u) => uids.has(u));
      else matched = [...new Set([...matched, ...uids])];
    }
    const sorted = [...(matched ?? [])].sort((a, b) => b - a);
    return {
      mailbox: box.path,
      uidValidity: uidValidityOf(box),
      uids: sorted.slice(0, MAX_APPLY_UIDS),
      truncated: sorted.length > MAX_APPLY_UIDS,
    };
  });
}

/**
 * Applies the rule's actions to `set`: flags first, then copies, then one move (the first move
 * or delete wins, as at delivery). Forward and stop do nothing to mail already there.
 */
export async function applyRule(
  client: ImapFlow,
  set: TUidSet,
  rule: TRule,
  opts: ActionOptions = {},
): Promise<void> {
  const add: string[] = [];
  for (const a of rule.actions) {
    if (a.type === "mark-read") add.push("\\Seen");
    else if (a.type === "star") add.push("\\Flagged");
    else if (a.type === "keyword") add.push(a.keyword);
  }
  if (add.length > 0) await updateFlags(client, set, add, [], opts);
  for (const a of rule.actions) {
    if (a.type === "copy" && a.folder !== set.mailbox)
      await copyMessages(client, set, a.folder, opts);
  }
  const final = rule.actions.find((a) => a.type === "move" || a.type === "delete");
  if (final?.type === "move" && final.folder !== set.mailbox) {
    await moveMessages(client, set, final.folder, opts);
  } else if (final?.type === "delete") {
    await deleteMessages(client, set, opts);
  }
}

const NO_JUNK = "This account has no Junk folder.";

/** Junk as the connection keeps it (imap/mailboxes.ts specialFolder: no LIST of its own). */
async function junkFolder(client: ImapFlow): Promise<string> {
  const junk = await specialFolder(client, "junk");
  if (junk === null) throw new BridgeError("mailbox_not_found", NO_JUNK);
  return junk;
}

/**
 * Report spam (`spam`: $Junk set, $NotJunk removed, moved to \Junk), not spam (`not_spam`:
 * $NotJunk set, $Junk removed, moved to INBOX) or undo either (`none`: both removed, moved to
 * `to`). The keywords are set before the move, so they travel with the messages.
 */
export async function markSpam(
  client: ImapFlow,
  set: TUidSet,
  verdict: "spam" | "not_spam" | "none",
  to: string | undefined,
  opts: ActionOptions = {},
): Promise<MoveResult> {
  const toJunk = to === undefined && verdict === "spam";
  const destination = to ?? (toJunk ? await junkFolder(client) : "INBOX");
  const add = verdict === "spam" ? ["$Junk"] : verdict === "not_spam" ? ["$NotJunk"] : [];
  const remove =
    verdict === "spam" ? ["$NotJunk"] : verdict === "not_spam" ? ["$Junk"] : ["$Junk", "$NotJunk"];
  await updateFlags(client, set, add, remove, opts);
  const same =
    destination === set.mailbox ||
    (destination.toUpperCase() === "INBOX" && set.mailbox.toUpperCase() === "INBOX");
  if (same)
    return { to: set.mailbox, uidMap: set.uids.map((u) => [u, u]), toUidValidity: set.uidValidity };
  return toJunk
    ? moveToRole(client, set, "junk", NO_JUNK, opts)
    : moveMessages(client, set, destination, opts);
}
