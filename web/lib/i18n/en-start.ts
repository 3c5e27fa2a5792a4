/**
 * The part of the English catalog (en.ts) the page's first load shows: the splash, the sign-in
 * page and the theme toggle. The rest of the catalog comes with the mailbox's chunk. Each entry
 * is en.ts's own (en-start.test.ts checks that they are equal), so en.ts stays the one place a
 * text is written; a key used here and missing is a type error.
 */
import type { Catalog } from "./en";

const start = {
  "app.name": "Ferry",
  "app.loading": "Loading Ferry…",
  "app.tagline": "Live webmail for any IMAP server",
  "signIn.demo": "Demo account: {email} with password {password}",
  "signIn.email": "Email address",
  "signIn.error.auth_failed": "Wrong email address or password.",
  "signIn.error.bad_request": "Fill in every field.",
  "signIn.error.host_unreachable": "The mail server could not be reached. Check the server name.",
  "signIn.error.login_refused": "The mail server refused to sign you in. Check with your provider.",
  "signIn.error.network": "Ferry's server could not be reached. Check your connection.",
  "signIn.error.other": "Signing in did not work. Try again.",
  "signIn.error.server_not_allowed": "That mail server is not allowed here.",
  "signIn.error.tls_failed":
    "The mail server's certificate could not be verified, so Ferry did not connect.",
  "signIn.error.too_many_attempts": "Too many tries. Wait {wait} before trying again.",
  "signIn.error.too_many_attempts.now": "Too many tries. Wait a moment before trying again.",
  "signIn.error.too_many_sessions":
    "This account, or this network, has too many sessions signed in. Sign out of one first.",
  "signIn.host": "IMAP server",
  "signIn.password": "Password",
  "signIn.passwordNote": "Your password is kept only by the Ferry server, never in this browser.",
  "signIn.port": "Port",
  "signIn.security": "Security",
  "signIn.security.starttls": "STARTTLS",
  "signIn.security.tls": "TLS",
  "signIn.server": "Server name",
  "signIn.serverPlaceholder": "mail.example.com",
  "signIn.smtpHost": "SMTP server",
  "signIn.submit": "Sign in",
  "signIn.title": "Sign in to your mail",
  "signIn.useDemo": "Use the demo account",
  "signIn.working": "Signing in…",
  "signOut.expired": "Your session ended. Sign in again.",
  "theme.toggle": "Theme: {mode}",
  "theme.system": "system",
  "theme.dark": "dark",
  "theme.light": "light",
} as const satisfies Partial<Catalog>;

export type StartKey = keyof typeof start;

export default start;
