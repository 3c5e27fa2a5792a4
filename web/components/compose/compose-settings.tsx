"use client";
/**
 * Settings, a modal dialog: how long Undo send waits (kept by the bridge for the account,
 * so it follows the user to every browser and tab: lib/settings.ts), and the
 * identities the user may send as, each with a name, an address and a signature (kept by the
 * bridge, `identities.save`). The signed-in address can always be used; an identity with that
 * same address gives it a name and a signature. Then the filters and the vacation reply
 * (rules/rules-settings.tsx), when the bridge offers them.
 */
import { hasLineBreak, isMailAddress, MAX_IDENTITIES, type TIdentity } from "@ferry/protocol";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { saveIdentities, useIdentities } from "@/hooks/use-compose";
import { reasonOf } from "@/lib/actions";
import { SEND_DELAY_CHOICES, setSendDelay, useSendDelay } from "@/lib/compose/settings";
import { formatWait, t } from "@/lib/i18n";
import { ConversationSetting } from "../conversation-setting";
import { type FormStatus, FormStatusLine } from "../form-status";
import { ModalDialog } from "../modal-dialog";
import { NotificationSetting } from "../notification-setting";
import { OfflineSetting } from "../offline-setting";
import { RulesSettings } from "../rules/rules-settings";
import { useNotConnected } from "../waiting-note";

interface EditableIdentity {
  id: string;
  name: string;
  address: string;
  signature: string;
}

function newId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `id-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

type Problems = Record<string, { name?: string; address?: string }>;

function check(list: EditableIdentity[]): Problems {
  const problems: Problems = {};
  const seen = new Set<string>();
  for (const i of list) {
    const p: { name?: string; address?: string } = {};
    if (hasLineBreak(i.name)) p.name = t("settings.identity.nameLineBreak");
    const address = i.address.trim().toLowerCase();
    if (!isMailAddress(i.address.trim())) p.address = t("settings.identity.addressInvalid");
    else if (seen.has(address)) p.address = t("settings.identity.addressTwice");
    seen.add(address);
    if (p.name || p.address) problems[i.id] = p;
  }
  return problems;
}

const input =
  "w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm aria-invalid:border-red-600 dark:border-zinc-700 dark:bg-zinc-900";
const secondaryButton =
  "touch-target rounded-lg px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-200/70 md:min-h-9 dark:text-zinc-200 dark:hover:bg-zinc-800";

export function ComposeSettings({ email, onClose }: { email: string; onClose(): void }) {
  const delayId = useId();
  const delay = useSendDelay();
  // Not "Loading…" for as long as the bridge is out of reach: what it waits for.
  const notConnected = useNotConnected();
  const identities = useIdentities();
  const [list, setList] = useState<EditableIdentity[] | null>(null);
  // The address just added with "Add an address": its Name field takes the focus.
  const [added, setAdded] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const [status, setStatus] = useState<FormStatus | null>(null);
  const [saving, setSaving] = useState(false);
  const [delayError, setDelayError] = useState<string | null>(null);

  // The editable copy starts from what the bridge has, once it is known.
  useEffect(() => {
    if (list === null && identities.data) {
      setList(identities.data.map((i) => ({ ...i })));
    }
  }, [identities.data, list]);

  const edit = (id: string, patch: Partial<EditableIdentity>) => {
    setList((l) => (l ?? []).map((i) => (i.id === id ? { ...i, ...patch } : i)));
    setStatus(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!list) return;
    const cleaned = list.map((i) => ({ ...i, name: i.name.trim(), address: i.address.trim() }));
    const found = check(cleaned);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      setStatus({ tone: "error", text: t("settings.identities.fix") });
      return;
    }
    setSaving(true);
    try {
      const saved = await saveIdentities(cleaned as TIdentity[]);
      setList(saved.map((i) => ({ ...i })));
      setStatus({ tone: "info", text: t("settings.identities.saved") });
    } catch (err) {
      setStatus({
        tone: "error",
        text: t("settings.identities.failed", { reason: reasonOf(err) }),
      });
    } finally {
      setSaving(false);
    }
  };

  return (
    <ModalDialog title={t("settings.title")} onClose={onClose} width="max-w-xl">
      <div className="space-y-6 px-5 py-4">
        <section className="space-y-2">
          <h3 className="font-semibold">{t("settings.undo.title")}</h3>
          <label htmlFor={delayId} className="block text-sm text-zinc-600 dark:text-zinc-300">
            {t("settings.undo.label")}
          </label>
          <select
            id={delayId}
            value={String(delay)}
            onChange={(e) => {
              setDelayError(null);
              setSendDelay(Number(e.target.value)).catch((err: unknown) =>
                setDelayError(t("settings.undo.failed", { reason: reasonOf(err) })),
              );
            }}
            className={`${input} w-auto`}
          >
            {(SEND_DELAY_CHOICES as readonly number[]).includes(delay) ? null : (
              <option value={String(delay)}>{formatWait(delay)}</option>
            )}
            {SEND_DELAY_CHOICES.map((s) => (
              <option key={s} value={String(s)}>
                {s === 0 ? t("settings.undo.off") : formatWait(s)}
              </option>
            ))}
          </select>
          {delayError ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {delayError}
            </p>
          ) : null}
        </section>

        <NotificationSetting />

        <ConversationSetting />

        <OfflineSetting />

        <form onSubmit={save} className="space-y-3" noValidate>
          <h3 className="font-semibold">{t("settings.identities.title")}</h3>
          <p className="text-sm text-zinc-600 dark:text-zinc-300">
            {t("settings.identities.intro", { email })}
          </p>
          {list === null ? (
            identities.error ? (
              <p role="alert" className="text-sm text-red-700 dark:text-red-300">
                {t("settings.identities.loadFailed", { reason: reasonOf(identities.error) })}
              </p>
            ) : (
              <p role="status" className="text-sm text-zinc-500">
                {notConnected === "offline"
                  ? t("waiting.identitiesOffline")
                  : notConnected === "connecting"
                    ? t("waiting.identities")
                    : t("settings.identities.loading")}
              </p>
            )
          ) : (
            <>
              {list.length === 0 ? (
                <p className="text-sm text-zinc-500">{t("settings.identities.none")}</p>
              ) : null}
              {list.map((i, index) => (
                <IdentityEditor
                  key={i.id}
                  identity={i}
                  index={index}
                  focusOnMount={i.id === added}
                  problems={problems[i.id]}
                  onChange={(patch) => edit(i.id, patch)}
                  onRemove={() => {
                    setList((l) => (l ?? []).filter((x) => x.id !== i.id));
                    setStatus(null);
                  }}
                />
              ))}
              <div className="flex flex-wrap items-center gap-2">
                <button
                  type="button"
                  disabled={list.length >= MAX_IDENTITIES}
                  onClick={() => {
                    const id = newId();
                    setAdded(id);
                    setList((l) => [...(l ?? []), { id, name: "", address: "", signature: "" }]);
                  }}
                  className={secondaryButton}
                >
                  {t("settings.identities.add")}
                </button>
                <button
                  type="submit"
                  disabled={saving}
                  className="touch-target ml-auto rounded-lg bg-accent-600 px-4 text-sm font-semibold text-white hover:bg-accent-700 disabled:opacity-60 md:min-h-9"
                >
                  {t("settings.identities.save")}
                </button>
              </div>
              <FormStatusLine status={status} />
            </>
          )}
        </form>
        <RulesSettings />
      </div>
    </ModalDialog>
  );
}

function IdentityEditor({
  identity,
  index,
  focusOnMount,
  problems,
  onChange,
  onRemove,
}: {
  identity: EditableIdentity;
  index: number;
  /** Just added: the focus moves into it, not left on "Add an address" above a new form. */
  focusOnMount: boolean;
  problems: { name?: string; address?: string } | undefined;
  onChange(patch: Partial<EditableIdentity>): void;
  onRemove(): void;
}) {
  const id = useId();
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusOnMount) nameRef.current?.focus();
  }, [focusOnMount]);
  return (
    <fieldset className="space-y-2 rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
      <legend className="px-1 text-sm font-medium">
        {t("settings.identity.legend", { number: index + 1 })}
      </legend>
      <div>
        <label htmlFor={`${id}-name`} className="text-sm">
          {t("settings.identity.name")}
        </label>
        <input
          ref={nameRef}
          id={`${id}-name`}
          value={identity.name}
          autoComplete="off"
          aria-invalid={problems?.name ? true : undefined}
          aria-describedby={problems?.name ? `${id}-name-error` : undefined}
          onChange={(e) => onChange({ name: e.target.value })}
          className={input}
        />
        {problems?.name ? (
          <p id={`${id}-name-error`} className="text-xs text-red-700 dark:text-red-300">
            {problems.name}
          </p>
        ) : null}
      </div>
      <div>
        <label htmlFor={`${id}-address`} className="text-sm">
          {t("settings.identity.address")}
        </label>
        <input
          id={`${id}-address`}
          type="email"
          value={identity.address}
          autoComplete="off"
          aria-invalid={problems?.address ? true : undefined}
          aria-describedby={problems?.address ? `${id}-address-error` : undefined}
          onChange={(e) => onChange({ address: e.target.value })}
          className={input}
        />
        {problems?.address ? (
          <p id={`${id}-address-error`} className="text-xs text-red-700 dark:text-red-300">
            {problems.address}
          </p>
        ) : null}
      </div>
      <div>
        <label htmlFor={`${id}-signature`} className="text-sm">
          {t("settings.identity.signature")}
        </label>
        <textarea
          id={`${id}-signature`}
          value={identity.signature}
          rows={3}
          maxLength={10_000}
          onChange={(e) => onChange({ signature: e.target.value })}
          className={input}
        />
      </div>
      <button type="button" onClick={onRemove} className={secondaryButton}>
        {t("settings.identity.remove", { number: index + 1 })}
      </button>
    </fieldset>
  );
}
