"use client";
/**
 * The vacation reply in Settings (Sieve vacation, RFC 5230): a switch named "Vacation reply",
 * "Subject" and "Message", optional start and end dates (when the server can keep them), more
 * addresses it answers for, and the days before the same sender is answered again. "Save
 * vacation reply" saves it with the filters as they are on the server.
 */
import { isMailAddress, type TVacation } from "@ferry/protocol";
import { type FormEvent, useEffect, useId, useState } from "react";
import { t } from "@/lib/i18n";
import { type RulesData, rulesFailure, saveRules } from "@/lib/rules";
import { type FormStatus, FormStatusLine } from "../form-status";

const input =
  "w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm aria-invalid:border-red-600 dark:border-zinc-700 dark:bg-zinc-900";

function addressesText(v: TVacation): string {
  return v.addresses.join(", ");
}

export function VacationSection({ data }: { data: RulesData }) {
  const id = useId();
  const [form, setForm] = useState<TVacation>(data.vacation);
  const [addresses, setAddresses] = useState(addressesText(data.vacation));
  const [status, setStatus] = useState<FormStatus | null>(null);
  const [saving, setSaving] = useState(false);
  const [addressProblem, setAddressProblem] = useState(false);

  // What another tab or device saved shows here too, unless this form is being edited.
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (dirty) return;
    setForm(data.vacation);
    setAddresses(addressesText(data.vacation));
  }, [data.vacation, dirty]);

  const edit = (patch: Partial<TVacation>) => {
    setForm((f) => ({ ...f, ...patch }));
    setDirty(true);
    setStatus(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const list = addresses
      .split(/[\s,;]+/)
      .map((a) => a.trim())
      .filter(Boolean);
    const bad = list.some((a) => !isMailAddress(a));
    setAddressProblem(bad);
    if (bad) {
      setStatus({ tone: "error", text: t("vacation.addressesInvalid") });
      return;
    }
    if (form.start && form.end && form.end < form.start) {
      setStatus({ tone: "error", text: t("vacation.datesReversed") });
      return;
    }
    setSaving(true);
    try {
      await saveRules(data.rules, { ...form, addresses: list });
      setDirty(false);
      setStatus({
        tone: "info",
        text: form.enabled ? t("vacation.savedOn") : t("vacation.savedOff"),
      });
    } catch (err) {
      setStatus({ tone: "error", text: rulesFailure(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={save} noValidate className="space-y-3" aria-labelledby={`${id}-title`}>
      <div className="flex items-center justify-between gap-3">
        <h3 id={`${id}-title`} className="font-semibold">
          {t("vacation.title")}
        </h3>
        <button
          type="button"
          role="switch"
          aria-checked={form.enabled}
          aria-label={t("vacation.switch")}
          onClick={() => edit({ enabled: !form.enabled })}
          className={`relative inline-flex h-7 w-12 shrink-0 items-center rounded-full transition-colors ${form.enabled ? "bg-accent-600" : "bg-zinc-300 dark:bg-zinc-700"}`}
        >
          <span
            aria-hidden="true"
            className={`inline-block size-5 rounded-full bg-white shadow transition-transform ${form.enabled ? "translate-x-6" : "translate-x-1"}`}
          />
        </button>
      </div>
      <div>
        <label htmlFor={`${id}-subject`} className="text-sm">
          {t("vacation.subject")}
        </label>
        <input
          id={`${id}-subject`}
          value={form.subject}
          maxLength={500}
          onChange={(e) => edit({ subject: e.target.value })}
          className={input}
        />
      </div>
      <div>
        <label htmlFor={`${id}-message`} className="text-sm">
          {t("vacation.message")}
        </label>
        <textarea
          id={`${id}-message`}
          value={form.message}
          rows={4}
          maxLength={20_000}
          onChange={(e) => edit({ message: e.target.value })}
          className={input}
        />
      </div>
      {data.vacationDates ? (
        <div className="flex flex-wrap gap-3">
          <div>
            <label htmlFor={`${id}-start`} className="text-sm">
              {t("vacation.start")}
            </label>
            <input
              id={`${id}-start`}
              type="date"
              value={form.start ?? ""}
              onChange={(e) => edit({ start: e.target.value || null })}
              className={input}
            />
          </div>
          <div>
            <label htmlFor={`${id}-end`} className="text-sm">
              {t("vacation.end")}
            </label>
            <input
              id={`${id}-end`}
              type="date"
              value={form.end ?? ""}
              onChange={(e) => edit({ end: e.target.value || null })}
              className={input}
            />
          </div>
        </div>
      ) : null}
      <div>
        <label htmlFor={`${id}-addresses`} className="text-sm">
          {t("vacation.addresses")}
        </label>
        <input
          id={`${id}-addresses`}
          value={addresses}
          aria-invalid={addressProblem ? true : undefined}
          onChange={(e) => {
            setAddresses(e.target.value);
            setDirty(true);
          }}
          className={input}
        />
      </div>
      <div>
        <label htmlFor={`${id}-days`} className="text-sm">
          {t("vacation.days")}
        </label>
        <input
          id={`${id}-days`}
          type="number"
          min={1}
          max={365}
          value={form.days}
          onChange={(e) => edit({ days: Math.max(1, Math.min(365, Number(e.target.value) || 1)) })}
          className={`${input} w-28`}
        />
      </div>
      <div className="flex justify-end">
        <button
          type="submit"
          disabled={saving}
          className="touch-target rounded-lg bg-accent-600 px-4 text-sm font-semibold text-white hover:bg-accent-700 disabled:opacity-60 md:min-h-9"
        >
          {t("vacation.save")}
        </button>
      </div>
      <FormStatusLine status={status} />
    </form>
  );
}
