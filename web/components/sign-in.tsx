"use client";
/**
 * The sign-in page: email and password, plus the servers when the administrator has not pinned
 * them. Each error code from the bridge gets its own clear message; too many tries shows how
 * long to wait and keeps the button disabled until then. It tells its owner the address once the
 * user has left the field or submitted (`onAddress`), so the mailbox can get ready meanwhile.
 */
import type { TPublicConfig, TSecurity, TSessionRequest } from "@ferry/protocol";
import { type ComponentType, type FormEvent, useEffect, useId, useState } from "react";
import { fetchPublicConfig } from "@/lib/api";
import { FerryError } from "@/lib/errors";
import { formatWait, t } from "@/lib/i18n/start";
import { whenIdle } from "@/lib/idle";
import { signIn } from "@/lib/session";
import { FerryLogo } from "./icons";
import { mailRootChunk } from "./mail-root-loader";
import { ThemeToggle } from "./theme-toggle";

const DEFAULT_PORTS: Record<TSecurity, { imap: number; smtp: number }> = {
  tls: { imap: 993, smtp: 465 },
  starttls: { imap: 143, smtp: 587 },
};

function errorText(err: unknown, waitLeft: number): string {
  if (!(err instanceof FerryError)) return t("signIn.error.other");
  switch (err.code) {
    case "auth_failed":
      return t("signIn.error.auth_failed");
    case "login_refused":
      return t("signIn.error.login_refused");
    case "host_unreachable":
      return t("signIn.error.host_unreachable");
    case "tls_failed":
      return t("signIn.error.tls_failed");
    case "too_many_attempts":
      return waitLeft > 0
        ? t("signIn.error.too_many_attempts", { wait: formatWait(waitLeft) })
        : t("signIn.error.too_many_attempts.now");
    case "server_not_allowed":
      return t("signIn.error.server_not_allowed");
    case "too_many_sessions":
      return t("signIn.error.too_many_sessions");
    case "bad_request":
      return t("signIn.error.bad_request");
    case "network":
      return t("signIn.error.network");
    default:
      return t("signIn.error.other");
  }
}

const inputClass =
  "block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2.5 text-base text-zinc-900 shadow-xs placeholder:text-zinc-400 focus:border-accent-500 focus:outline-none focus:ring-2 focus:ring-accent-500/30 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100";
const labelClass = "mb-1 block text-sm font-medium text-zinc-700 dark:text-zinc-300";

export function SignIn({
  notice,
  onAddress,
}: {
  notice: "expired" | "network" | null;
  /** The address typed, once the field is left or the form submitted. */
  onAddress?: (email: string) => void;
}) {
  const id = useId();
  const [config, setConfig] = useState<TPublicConfig | null>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [imapHost, setImapHost] = useState("");
  const [imapSecurity, setImapSecurity] = useState<TSecurity>("tls");
  const [imapPort, setImapPort] = useState("");
  const [smtpHost, setSmtpHost] = useState("");
  const [smtpSecurity, setSmtpSecurity] = useState<TSecurity>("starttls");
  const [smtpPort, setSmtpPort] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    fetchPublicConfig().then(setConfig, () => setConfig(null));
  }, []);

  // Rows of text in many scripts, laid out unseen once (components/row-text-warmup.tsx).
  const [Warmup, setWarmup] = useState<ComponentType | null>(null);
  // While the sign-in page is idle (the user is typing), fetch the mailbox's chunk, make the
  // date and number formatters its list uses, set up the fonts of its rows and the schemas of
  // the sign-in answer, so that signing in waits only for the bridge (submit starts the fetch
  // too, in case the page was never idle).
  useEffect(() => {
    let cancel = whenIdle(() => {
      void mailRootChunk.preload().then(
        (root) => {
          cancel = whenIdle(() => {
            void import("@/lib/i18n").then((m) => {
              m.warmFormatters();
              setWarmup(() => root.RowTextWarmup);
            });
            void import("@/lib/sign-in-warm").then(
              (m) => m.warmSignInAnswer(),
              () => false,
            );
          });
        },
        () => undefined,
      );
    });
    return () => cancel();
  }, []);

  useEffect(() => {
    if (waitUntil <= Date.now()) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);

  const waitLeft = Math.max(0, Math.ceil((waitUntil - now) / 1000));
  const showImap = config !== null && !config.imapPinned;
  const showSmtp = config !== null && !config.smtpPinned;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || waitLeft > 0) return;
    const request: TSessionRequest = { email: email.trim(), password };
    if (showImap) {
      request.imap = {
        host: imapHost.trim(),
        port: Number(imapPort) || DEFAULT_PORTS[imapSecurity].imap,
        security: imapSecurity,
      };
    }
    if (showSmtp && smtpHost.trim()) {
      request.smtp = {
        host: smtpHost.trim(),
        port: Number(smtpPort) || DEFAULT_PORTS[smtpSecurity].smtp,
        security: smtpSecurity,
      };
    }
    // Asked for before the state below is set: the request goes out before the page re-renders.
    const signingIn = signIn(request);
    setBusy(true);
    setError(null);
    void mailRootChunk.preload().catch(() => undefined);
    onAddress?.(request.email);
    try {
      await signingIn;
    } catch (err) {
      setError(err);
      if (err instanceof FerryError && err.code === "too_many_attempts" && err.retryAfter) {
        setWaitUntil(Date.now() + err.retryAfter * 1000);
        setNow(Date.now());
      }
      setBusy(false);
    }
  }

  const noticeText =
    notice === "expired"
      ? t("signOut.expired")
      : notice === "network"
        ? t("signIn.error.network")
        : null;

  return (
    <main className="pt-safe pb-safe flex min-h-dvh flex-col items-center justify-center bg-zinc-50 px-4 dark:bg-zinc-950">
      <div className="absolute top-3 right-3 pt-safe pr-safe">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center gap-3 text-center">
          <FerryLogo className="size-14" />
          <h1 className="text-2xl font-semibold tracking-tight">{t("signIn.title")}</h1>
          <p className="text-sm text-zinc-500 dark:text-zinc-400">{t("app.tagline")}</p>
        </div>
        <form
          onSubmit={submit}
          noValidate
          className="space-y-4 rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
        >
          {noticeText && !error ? (
            <p
              role="status"
              className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
            >
              {noticeText}
            </p>
          ) : null}
          {error ? (
            <p
              role="alert"
              className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
            >
              {errorText(error, waitLeft)}
            </p>
          ) : null}
          <div>
            <label htmlFor={`${id}-email`} className={labelClass}>
              {t("signIn.email")}
            </label>
            <input
              id={`${id}-email`}
              name="email"
              type="email"
              autoComplete="username"
              inputMode="email"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              onBlur={() => {
                if (email.includes("@")) onAddress?.(email.trim());
              }}
              className={inputClass}
            />
          </div>
          <div>
            <label htmlFor={`${id}-password`} className={labelClass}>
              {t("signIn.password")}
            </label>
            <input
              id={`${id}-password`}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className={inputClass}
            />
          </div>
          {showImap ? (
            <ServerFields
              legend={t("signIn.host")}
              idPrefix={`${id}-imap`}
              host={imapHost}
              setHost={setImapHost}
              port={imapPort}
              setPort={setImapPort}
              security={imapSecurity}
              setSecurity={setImapSecurity}
              defaultPort={DEFAULT_PORTS[imapSecurity].imap}
            />
          ) : null}
          {showSmtp ? (
            <ServerFields
              legend={t("signIn.smtpHost")}
              idPrefix={`${id}-smtp`}
              host={smtpHost}
              setHost={setSmtpHost}
              port={smtpPort}
              setPort={setSmtpPort}
              security={smtpSecurity}
              setSecurity={setSmtpSecurity}
              defaultPort={DEFAULT_PORTS[smtpSecurity].smtp}
            />
          ) : null}
          <button
            type="submit"
            disabled={busy || waitLeft > 0}
            className="touch-target w-full rounded-lg bg-accent-600 px-4 py-2.5 text-base font-semibold text-white shadow-sm hover:bg-accent-700 disabled:opacity-60"
          >
            {busy ? t("signIn.working") : t("signIn.submit")}
          </button>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{t("signIn.passwordNote")}</p>
        </form>
        {config?.demo ? (
          <div className="mt-4 rounded-xl border border-dashed border-zinc-300 p-4 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-300">
            <p>{t("signIn.demo", { email: config.demo.email, password: config.demo.password })}</p>
            <button
              type="button"
              className="touch-target mt-2 font-medium text-accent-600 underline dark:text-accent-200"
              onClick={() => {
                if (!config.demo) return;
                setEmail(config.demo.email);
                setPassword(config.demo.password);
              }}
            >
              {t("signIn.useDemo")}
            </button>
          </div>
        ) : null}
      </div>
      {Warmup ? <Warmup /> : null}
    </main>
  );
}

function ServerFields(props: {
  legend: string;
  idPrefix: string;
  host: string;
  setHost: (v: string) => void;
  port: string;
  setPort: (v: string) => void;
  security: TSecurity;
  setSecurity: (v: TSecurity) => void;
  defaultPort: number;
}) {
  return (
    <fieldset className="space-y-3 rounded-lg border border-zinc-200 p-3 dark:border-zinc-700">
      <legend className="px-1 text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {props.legend}
      </legend>
      <div>
        <label htmlFor={`${props.idPrefix}-host`} className={labelClass}>
          {t("signIn.server")}
        </label>
        <input
          id={`${props.idPrefix}-host`}
          type="text"
          autoCapitalize="none"
          spellCheck={false}
          placeholder={t("signIn.serverPlaceholder")}
          value={props.host}
          onChange={(e) => props.setHost(e.target.value)}
          className={inputClass}
        />
      </div>
      <div className="flex gap-3">
        <div className="flex-1">
          <label htmlFor={`${props.idPrefix}-security`} className={labelClass}>
            {t("signIn.security")}
          </label>
          <select
            id={`${props.idPrefix}-security`}
            value={props.security}
            onChange={(e) => props.setSecurity(e.target.value === "starttls" ? "starttls" : "tls")}
            className={inputClass}
          >
            <option value="tls">{t("signIn.security.tls")}</option>
            <option value="starttls">{t("signIn.security.starttls")}</option>
          </select>
        </div>
        <div className="w-28">
          <label htmlFor={`${props.idPrefix}-port`} className={labelClass}>
            {t("signIn.port")}
          </label>
          <input
            id={`${props.idPrefix}-port`}
            type="text"
            inputMode="numeric"
            placeholder={String(props.defaultPort)}
            value={props.port}
            onChange={(e) => props.setPort(e.target.value.replace(/\D/g, ""))}
            className={inputClass}
          />
        </div>
      </div>
    </fieldset>
  );
}
