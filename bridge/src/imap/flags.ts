/**
 * Which IMAP flags the browser sees. \Recent is per connection, and $HasAttachment /
 * $HasNoAttachment are bookkeeping keywords some servers (Dovecot's attachment detection) set
 * on every message; none of them is the user's.
 */
const HIDDEN = new Set(["\\recent", "$hasattachment", "$hasnoattachment"]);

/** Flags as the protocol carries them. */
export function wireFlags(flags: Iterable<string> | undefined): string[] {
  const out: string[] = [];
  for (const flag of flags ?? []) if (!HIDDEN.has(flag.toLowerCase())) out.push(flag);
  return out;
}
