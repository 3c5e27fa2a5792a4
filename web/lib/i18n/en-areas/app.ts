/**
 * English catalog (put together in en.ts): the app's name and window titles, and the sign-in page.
 */
import type { Message } from "../en";

const app = {
  "app.name": "Ferry",
  "app.tagline": "Live webmail for any IMAP server",
  "app.loading": "Loading Ferry…",
  "app.skipToList": "Skip to messages",
  "app.title": "{folder} – Ferry",
  "app.titleUnread": "{folder} ({count}) – Ferry",
  "app.titleInboxUnread": "({count}) {folder} – Ferry",
  "app.account": "Signed in as {email}",

  // Sign-in
  "signIn.title": "Sign in to your mail",
  "signIn.email": "Email address",
  "signIn.password": "Password",
  "signIn.server": "Server name",
  "signIn.serverPlaceholder": "mail.example.com",
  "signIn.host": "IMAP server",
  "signIn.port": "Port",
  "signIn.security": "Security",
  "signIn.security.tls": "TLS",
  "signIn.security.starttls": "STARTTLS",
  "signIn.smtpHost": "SMTP server",
  "signIn.submit": "Sign in",
  "signIn.working": "Signing in…",
  "signIn.demo": "Demo account: {email} with password {password}",
  "signIn.useDemo": "Use the demo account",
  "signIn.passwordNote": "Your password is kept only by the Ferry server, never in this browser.",
  "signIn.error.auth_failed": "Wrong email address or password.",
  "signIn.error.login_refused": "The mail server refused to sign you in. Check with your provider.",
  "signIn.error.host_unreachable": "The mail server could not be reached. Check the server name.",
  "signIn.error.tls_failed":
    "The mail server's certificate could not be verified, so Ferry did not connect.",
  "signIn.error.too_many_attempts": "Too many tries. Wait {wait} before trying again.",
  "signIn.error.too_many_attempts.now": "Too many tries. Wait a moment before trying again.",
  "signIn.error.server_not_allowed": "That mail server is not allowed here.",
  "signIn.error.too_many_sessions":
    "This account, or this network, has too many sessions signed in. Sign out of one first.",
  "signIn.error.bad_request": "Fill in every field.",
  "signIn.error.network": "Ferry's server could not be reached. Check your connection.",
  "signIn.error.other": "Signing in did not work. Try again.",
  "signOut.button": "Sign out",
  "signOut.expired": "Your session ended. Sign in again.",
  "signOut.title": "Before you sign out",
  "signOut.composer":
    "You are writing a message. What you typed in the last few seconds may not be saved in Drafts yet and would be lost.",
  "signOut.scheduled": {
    one: "You have {count} message scheduled to send later. It still goes at its time: Ferry keeps your password, sealed on its server, until it has gone. To stop it, review it and cancel it first.",
    other:
      "You have {count} messages scheduled to send later. They still go at their times: Ferry keeps your password, sealed on its server, until the last one has gone. To stop them, review them and cancel them first.",
  },
  "signOut.unknown":
    "Ferry could not check for mail scheduled to send later just now. Any there is still goes at its time.",
  "signOut.review": "Review scheduled",
  "signOut.stay": "Stay signed in",
  "signOut.anyway": "Sign out anyway",
  "signOut.actions": { one: "1 action", other: "{count} actions" },
  "signOut.outbox": { one: "1 message in the Outbox", other: "{count} messages in the Outbox" },
  "signOut.and": "{first} and {second}",
  "signOut.unsent": {
    one: "{what} has not been sent. Signing out deletes it from this browser.",
    other: "{what} have not been sent. Signing out deletes them from this browser.",
  },
  "signOut.localDrafts": {
    one: "1 draft written offline is only on this device. Signing out deletes it.",
    other: "{count} drafts written offline are only on this device. Signing out deletes them.",
  },
} as const satisfies Record<string, Message>;

export default app;
