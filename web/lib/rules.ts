/**
 * Rules on the server as the browser sees them: whether the bridge offers them (`rules` in
 * /api/config; FERRY_SIEVE_PORT=0 turns them off and the UI hides them), the filters and the
 * vacation reply (`rules.get` / `rules.save`, cached under one query key so the settings and the
 * vacation banner share them), the choice about a foreign active script (`rules.activate`),
 * "Apply to existing mail" (`rules.apply`), the editable form of a rule with its checks, the
 * prefill of "Filter messages like this", and the filter editor's open state (a tiny store, so
 * the reader and the settings can both open it).
 */
import {
  isMailAddress,
  type TMessageHeader,
  type TRule,
  type TRuleAction,
  type TRuleCondition,
  type TRulesState,
  type TVacation,
  ZHeaderName,
  ZKeyword,
} from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import { fetchPublicConfig, PUBLIC_CONFIG_KEY } from "./api";
import { FerryError } from "./errors";
import { t } from "./i18n";
import { queryClient, socket } from "./mail-client";

export const rulesKeys = {
  config: PUBLIC_CONFIG_KEY,
  rules: ["rules"] as const,
};

/**
 * Whether this bridge offers rules: null while /api/config is not known (loading, or not
 * reachable offline), so a caller can tell "not offered" from "not known yet".
 */
export function useRulesOffered(): boolean | null {
  const config = useQuery({
    queryKey: rulesKeys.config,
    queryFn: fetchPublicConfig,
    gcTime: 0,
  });
  return config.data === undefined ? null : config.data.rules !== false;
}

/** Rules are offered by this bridge (unknown while /api/config loads: false, nothing shown). */
export function useRulesEnabled(): boolean {
  return useRulesOffered() === true;
}

export type RulesData = Omit<TRulesState, "type" | "id">;

function body(reply: TRulesState): RulesData {
  const { type: _type, id: _id, ...rest } = reply;
  return rest;
}

export async function fetchRules(): Promise<RulesData> {
  return body(await socket.request({ type: "rules.get" }));
}

/** The rules and vacation reply on the server (fetched only when `enabled`). */
export function useRules(enabled: boolean) {
  return useQuery({
    queryKey: rulesKeys.rules,
    queryFn: fetchRules,
    enabled,
    gcTime: 0,
    retry: false,
  });
}

/** Saves the whole set (CHECKSCRIPT, then PUTSCRIPT); the cache gets what the server now has. */
export async function saveRules(rules: TRule[], vacation: TVacation): Promise<RulesData> {
  const data = body(await socket.requestNow({ type: "rules.save", rules, vacation }));
  queryClient.setQueryData(rulesKeys.rules, data);
  return data;
}

/** Keep the foreign script active, or switch to Ferry's (saving it first when needed). */
export async function chooseActiveScript(
  use: { kind: "ferry" } | { kind: "foreign"; name: string },
  current: RulesData,
): Promise<RulesData> {
  if (use.kind === "ferry" && !current.scripts.includes("ferry")) {
    await saveRules(current.rules, current.vacation);
  }
  const data = body(await socket.requestNow({ type: "rules.activate", use }));
  queryClient.setQueryData(rulesKeys.rules, data);
  return data;
}

/** The Inbox messages a rule's conditions match now (`rules.apply` without UIDs). */
export async function findMatches(rule: TRule) {
  return socket.requestNow({ type: "rules.apply", rule, mailbox: "INBOX" });
}

/** Runs a rule's actions on the matches found before; resolves to how many it acted on. */
export async function applyToMatches(rule: TRule, uids: number[]): Promise<number> {
  const reply = await socket.requestNow({ type: "rules.apply", rule, mailbox: "INBOX", uids });
  return reply.uids.length;
}

/**
 * What the user reads when saving failed. A script the server refused carries the server's own
 * reason (cleaned by the bridge): it is shown, not swallowed.
 */
export function rulesFailure(err: unknown): string {
  if (err instanceof FerryError) {
    if (err.code === "script_rejected") return t("rules.rejected", { detail: err.message });
    return t(`error.${err.code}`);
  }
  return t("error.internal");
}

// ---- the editable form of a rule ----------------------------------------------------------------

export type ConditionField = TRuleCondition["field"];
export type ActionType = TRuleAction["type"];

export const CONDITION_FIELDS: readonly ConditionField[] = [
  "from",
  "to",
  "subject",
  "list-id",
  "header",
  "size",
  "attachment",
];
export const ACTION_TYPES: readonly ActionType[] = [
  "move",
  "copy",
  "mark-read",
  "star",
  "keyword",
  "forward",
  "delete",
  "stop",
];

export function newId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `r-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** A condition of `field` with empty values. */
export function blankCondition(field: ConditionField): TRuleCondition {
  switch (field) {
    case "header":
      return { field, name: "", match: "contains", value: "", not: false };
    case "size":
      return { field, over: true, bytes: 1024 * 1024, not: false };
    case "attachment":
      return { field, not: false };
    default:
      return { field, match: "contains", value: "", not: false };
  }
}

/** An action of `type` with empty values (`folder`: the first folder offered). */
export function blankAction(type: ActionType, folder = ""): TRuleAction {
  switch (type) {
    case "move":
    case "copy":
      return { type, folder };
    case "keyword":
      return { type, keyword: "" };
    case "forward":
      return { type, address: "", keepCopy: true };
    default:
      return { type };
  }
}

export function blankRule(): TRule {
  return {
    id: newId(),
    name: "",
    enabled: true,
    match: "all",
    conditions: [blankCondition("from")],
    actions: [blankAction("move")],
  };
}

/** Per field of the form: what is wrong, keyed `c<i>` (condition) or `a<i>` (action). */
export type RuleProblems = Record<string, string>;

/** Checks a rule before anything is saved (an invalid forward address is refused here). */
export function ruleProblems(rule: TRule): RuleProblems {
  const out: RuleProblems = {};
  rule.conditions.forEach((c, i) => {
    if (c.field === "header" && !ZHeaderName.safeParse(c.name.trim()).success) {
      out[`c${i}name`] = t("rules.problem.headerName");
    }
    if ("value" in c && c.value.trim() === "") out[`c${i}`] = t("rules.problem.empty");
  });
  rule.actions.forEach((a, i) => {
    if ((a.type === "move" || a.type === "copy") && a.folder === "") {
      out[`a${i}`] = t("rules.problem.folder");
    }
    if (a.type === "keyword" && !ZKeyword.safeParse(a.keyword).success) {
      out[`a${i}`] = t("rules.problem.keyword");
    }
    if (a.type === "forward" && !isMailAddress(a.address.trim())) {
      out[`a${i}`] = t("rules.problem.address");
    }
  });
  return out;
}

/** The rule as saved: text trimmed. */
export function cleanRule(rule: TRule): TRule {
  return {
    ...rule,
    name: rule.name.trim(),
    conditions: rule.conditions.map((c) =>
      c.field === "header"
        ? { ...c, name: c.name.trim(), value: c.value.trim() }
        : "value" in c
          ? { ...c, value: c.value.trim() }
          : c,
    ),
    actions: rule.actions.map((a) =>
      a.type === "forward" ? { ...a, address: a.address.trim() } : a,
    ),
  };
}

/** The list's id from a List-Id value ("Team news <news.example.com>" → news.example.com). */
export function listIdOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const inBrackets = /<([^<>\s]+)>/.exec(value)?.[1];
  const id = (inBrackets ?? value).trim();
  return id === "" ? null : id;
}

/** "Filter messages like this": mail from this list (List-Id), or else from this sender. */
export function ruleLike(header: Pick<TMessageHeader, "envelope" | "listId">): TRule {
  const rule = blankRule();
  const list = listIdOf(header.listId);
  const sender = header.envelope.from[0]?.address ?? "";
  rule.conditions = [
    list
      ? { field: "list-id", match: "contains", value: list, not: false }
      : { field: "from", match: "contains", value: sender, not: false },
  ];
  return rule;
}

// ---- the filter editor's open state ----------------------------------------------------------

export interface EditorState {
  /** The rule being edited (a copy). */
  rule: TRule;
  /** True for a rule not saved yet (then "Apply to existing mail" is offered after saving). */
  isNew: boolean;
}

let editor: EditorState | null = null;
const listeners = new Set<() => void>();

function setEditor(next: EditorState | null): void {
  editor = next;
  for (const l of listeners) l();
}

export function openFilterEditor(rule: TRule = blankRule(), isNew = true): void {
  setEditor({ rule: structuredClone(rule), isNew });
}

export function closeFilterEditor(): void {
  setEditor(null);
}

export function useFilterEditor(): EditorState | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => editor,
    () => null,
  );
}
