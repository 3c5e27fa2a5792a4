// Deterministic mail generator (pure: no I/O, no clock, no Math.random). Owns: turning
// `{ seed, count, owner, folder }` into realistic RFC 5322 messages (CRLF, as Buffers) plus their
// metadata — dates spread over ~2 years ending at an anchor, newest last; Seen/Flagged/Answered
// mixes per folder role; conversation threads (In-Reply-To/References, "Re:" subjects); plain,
// multipart/alternative, multipart/mixed with PDF/CSV/PNG attachments, multipart/related with
// cid: images, forwarded message/rfc822, calendar invites, newsletters with remote images,
// notification threads, receipts, spam; non-ASCII names and subjects as RFC 2047 words; bodies in
// UTF-8, ISO-8859-1/-2, windows-1252, KOI8-R, Shift_JIS and ISO-2022-JP as 7bit, 8bit,
// quoted-printable or base64.
//
// Same options → byte-identical output. `MessageFactory` is the per-folder state machine
// (threads in flight); `generateMessages` drives it with dates and flags.

import { makeCsv, makeIcs, makePdf, makePng, type PngPattern } from "./assets";
import {
  CITIES,
  CODEHUB_USERS,
  DRAFT_FRAGMENTS,
  LOCALES,
  type Locale,
  type MailClient,
  NEWSLETTER_HEADLINES,
  NOTIFICATION_TITLES,
  PEOPLE,
  type Person,
  PRODUCTS,
  PROJECTS,
  SERVICES,
  type Service,
  SIGNATURES,
  SPAM_DOMAINS,
  SPAM_NAMES,
  SPAM_PARAGRAPHS,
  SPAM_SUBJECTS,
  TICKET_TOPICS,
  TRAVEL_DEALS,
  WEEKDAYS,
} from "./corpus";
import {
  base64Wrapped,
  type Charset,
  CRLF,
  encodeCharset,
  encodedWords,
  encodePhrase,
  encodeQP,
  encodeUnstructured,
  escapeHtml,
  formatDate,
  header,
  isAscii,
  param,
  qpUtf8,
} from "./mime";
import { hashSeed, Rng } from "./prng";

export interface Owner {
  name: string;
  email: string;
}

export interface MessageFlags {
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
}

export type MessageKind =
  | "plain"
  | "alternative"
  | "remote-images"
  | "attachments"
  | "inline-images"
  | "forward"
  | "invite"
  | "newsletter"
  | "notification"
  | "receipt"
  | "alert"
  | "ticket"
  | "travel"
  | "spam"
  | "draft";

export interface GeneratedMessage {
  /** the whole RFC 5322 message, CRLF line breaks */
  raw: Buffer;
  /** arrival time: Maildir mtime / IMAP INTERNALDATE (the Date header may be a little earlier) */
  date: Date;
  flags: MessageFlags;
  /** with angle brackets */
  messageId: string;
  inReplyTo?: string;
  /** decoded subject ("" when the message has none) */
  subject: string;
  /** sender address */
  from: string;
  kind: MessageKind;
  /** zero-based position in the generated sequence */
  index: number;
}

export type FolderRole = "inbox" | "sent" | "drafts" | "archive" | "trash" | "junk";

export interface GenerateOptions {
  seed: number;
  count: number;
  owner: Owner;
  /** IMAP folder name; its role (inbox, sent, ...) decides content and flags */
  folder: string;
  /** newest message date; defaults to DEFAULT_ANCHOR so output stays deterministic */
  anchor?: Date;
  /** how far back the oldest message goes; defaults per folder role (~2 years for INBOX) */
  spanDays?: number;
}

/** Fixed default anchor: generated mailboxes end here unless told otherwise. */
export const DEFAULT_ANCHOR = new Date("2025-06-02T09:30:00Z");

const DAY = 86_400_000;

interface RoleProfile {
  spanDays: number;
  /** probability of \Seen for a message at relative position f (0 oldest, 1 newest) */
  seen: (f: number) => number;
  flagged: number;
  /** probability of \Answered for mail from a person */
  answered: number;
}

const PROFILES: Record<FolderRole, RoleProfile> = {
  // mean seen ≈ 0.67 before answered (which implies seen) lifts it to ≈ 0.70
  inbox: { spanDays: 730, seen: (f) => 0.87 - 0.8 * f * f * f, flagged: 0.05, answered: 0.13 },
  archive: { spanDays: 760, seen: () => 0.985, flagged: 0.03, answered: 0.2 },
  sent: { spanDays: 730, seen: () => 1, flagged: 0.02, answered: 0 },
  drafts: { spanDays: 45, seen: () => 1, flagged: 0.1, answered: 0 },
  trash: { spanDays: 60, seen: () => 0.9, flagged: 0, answered: 0.05 },
  junk: { spanDays: 30, seen: () => 0.15, flagged: 0, answered: 0 },
};

export function folderRole(folder: string): FolderRole {
  const f = folder.toLowerCase();
  if (f === "inbox") return "inbox";
  if (f.includes("sent")) return "sent";
  if (f.includes("draft")) return "drafts";
  if (f.includes("trash") || f.includes("deleted") || f.includes("bin")) return "trash";
  if (f.includes("junk") || f.includes("spam")) return "junk";
  return "archive";
}

/** IMAP system flags for APPEND. */
export function imapFlags(flags: MessageFlags): string[] {
  const out: string[] = [];
  if (flags.answered) out.push("\\Answered");
  if (flags.draft) out.push("\\Draft");
  if (flags.flagged) out.push("\\Flagged");
  if (flags.seen) out.push("\\Seen");
  return out;
}

// ---------------------------------------------------------------------------------------------
// MIME tree

type Part =
  | { leaf: true; headers: string[]; body: string }
  | { leaf: false; subtype: "alternative" | "mixed" | "related"; parts: Part[]; params?: string };

function firstName(person: { name: string }, locale: Locale): string {
  const name = person.name;
  if (locale === "ja") return name.slice(0, 2);
  if (locale === "zh") return name;
  const token = name.split(/[\s,]+/)[0];
  return token && token.length > 0 ? token : name;
}

const wrapCache = new Map<string, string>();

/** Word-wrap at `width` (CRLF); text without spaces (CJK) stays on one line. */
function wrap(text: string, width = 72): string {
  if (text.length <= width) return text;
  const hit = wrapCache.get(text);
  if (hit !== undefined) return hit;
  const words = text.split(" ");
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line.length > 0 ? `${line} ${w}` : w;
  }
  if (line.length > 0) lines.push(line);
  const out = lines.join(CRLF);
  if (wrapCache.size < 20_000) wrapCache.set(text, out);
  return out;
}

function linkify(html: string): string {
  return html.replace(/https?:\/\/[^\s<>"]+/g, (url) => `<a href="${url}">${url}</a>`);
}

interface Doc {
  greeting?: string;
  paras: string[];
  signoff?: string;
  signer?: string;
  signature?: string;
  logo?: { url: string; alt: string };
  inlineCid?: { cid: string; alt: string };
  quote?: { header: string; text: string };
  rtl?: boolean;
}

function docText(doc: Doc): string {
  const out: string[] = [];
  if (doc.greeting) out.push(doc.greeting, "");
  for (const p of doc.paras) out.push(wrap(p), "");
  if (doc.signoff) out.push(doc.signoff);
  if (doc.signer) out.push(doc.signer);
  if (doc.signature) out.push("", "-- ", doc.signature);
  if (doc.quote) {
    out.push("", doc.quote.header);
    for (const l of wrap(doc.quote.text, 70).split(CRLF)) out.push(`> ${l}`);
  }
  return `${out.join(CRLF)}${CRLF}`;
}

function docHtml(doc: Doc, charset: string): string {
  const out: string[] = [
    "<html>",
    `<head><meta http-equiv="Content-Type" content="text/html; charset=${charset}"></head>`,
    doc.rtl ? '<body dir="rtl">' : "<body>",
    '<div style="font-family: Helvetica, Arial, sans-serif; font-size: 14px;">',
  ];
  if (doc.greeting) out.push(`<p>${escapeHtml(doc.greeting)}</p>`);
  for (const p of doc.paras) out.push(`<p>${linkify(escapeHtml(p))}</p>`);
  if (doc.inlineCid) {
    out.push(
      `<p><img src="cid:${doc.inlineCid.cid}" alt="${escapeHtml(doc.inlineCid.alt)}" width="320"></p>`,
    );
  }
  if (doc.signoff || doc.signer) {
    out.push(`<p>${escapeHtml(doc.signoff ?? "")}<br>${escapeHtml(doc.signer ?? "")}</p>`);
  }
  if (doc.signature || doc.logo) {
    out.push('<div class="signature" style="color: #666; font-size: 12px;">');
    if (doc.signature) out.push(escapeHtml(doc.signature).split(CRLF).join("<br>"));
    if (doc.logo) {
      out.push(
        `<br><img src="${doc.logo.url}" alt="${escapeHtml(doc.logo.alt)}" width="120" height="32">`,
      );
    }
    out.push("</div>");
  }
  if (doc.quote) {
    out.push(
      `<div>${escapeHtml(doc.quote.header)}</div>`,
      '<blockquote type="cite" style="margin: 0 0 0 .8ex; border-left: 1px solid #ccc; padding-left: 1ex;">',
      `${escapeHtml(doc.quote.text)}`,
      "</blockquote>",
    );
  }
  out.push("</div>", "</body>", "</html>");
  return `${out.join(CRLF)}${CRLF}`;
}

/** Encode `text` in the preferred charset, falling back to UTF-8 when it does not fit. */
function encodeWithFallback(text: string, charset: Charset): { bytes: Buffer; charset: Charset } {
  if (charset === "UTF-8") return { bytes: Buffer.from(text, "utf8"), charset };
  try {
    return { bytes: encodeCharset(text, charset), charset };
  } catch {
    return { bytes: Buffer.from(text, "utf8"), charset: "UTF-8" };
  }
}

/** HTML in a legacy charset: characters it cannot hold become numeric references. */
function encodeHtml(html: string, charset: Charset): Buffer {
  if (charset === "UTF-8") return Buffer.from(html, "utf8");
  try {
    return encodeCharset(html, charset);
  } catch {
    let safe = "";
    for (const ch of html) {
      try {
        encodeCharset(ch, charset);
        safe += ch;
      } catch {
        safe += `&#${ch.codePointAt(0)};`;
      }
    }
    return encodeCharset(safe, charset);
  }
}

type Cte = "7bit" | "8bit" | "quoted-printable" | "base64";

function allAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b > 0x7e) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// images: a few fixed PNGs, built once

interface Image {
  png: Buffer;
  b64: string;
  name: string;
}

let images: Image[] | undefined;

function imagePool(): Image[] {
  if (images) return images;
  const specs: [number, number, PngPattern, number, number, string][] = [
    [32, 32, "gradient", 0x1e88e5, 0xffffff, "logo.png"],
    [48, 24, "stripes", 0x43a047, 0xe8f5e9, "chart.png"],
    [24, 24, "dot", 0xe53935, 0xfafafa, "status.png"],
    [64, 40, "checker", 0x616161, 0xeeeeee, "screenshot.png"],
    [40, 40, "gradient", 0xfb8c00, 0x3949ab, "photo.png"],
    [16, 16, "checker", 0x8e24aa, 0xffffff, "icon.png"],
  ];
  images = specs.map(([w, h, pat, fg, bg, name]) => {
    const png = makePng(w, h, pat, fg, bg);
    return { png, b64: base64Wrapped(png), name };
  });
  return images;
}

// ---------------------------------------------------------------------------------------------

interface Thread {
  base: string;
  ids: string[];
  starter: Person;
  participants: Person[];
  lastFrom: Person | "owner";
  lastText: string;
  lastDate: number;
  left: number;
  /** for notification/ticket threads */
  number?: number;
}

interface Ctx {
  index: number;
  dateMs: number;
  /** the Date header time (a little before arrival for received mail) */
  sentMs: number;
  uniq: string;
}

interface Composed {
  from: { name: string; email: string; tz: number; client: MailClient | "service" };
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string;
  subject: string | undefined;
  /** pre-encoded subject header value, when a legacy charset was used */
  subjectHeader?: string | undefined;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  extra: string[];
  body: Part;
  kind: MessageKind;
  fromPerson: boolean;
}

export interface FactoryOptions {
  seed: number;
  owner: Owner;
  folder: string;
  /** add the Return-Path/Delivered-To/Received headers a delivery would have added (default true) */
  deliveryHeaders?: boolean;
}

/**
 * Per-folder message state machine: keeps conversation threads open across calls, so messages
 * must be requested in chronological order. All randomness comes from the seed.
 */
export class MessageFactory {
  readonly role: FolderRole;
  private readonly rng: Rng;
  private readonly owner: Person;
  private readonly ownerDomain: string;
  private readonly folderTag: string;
  private readonly seedTag: string;
  private readonly deliveryHeaders: boolean;
  private readonly threads: Thread[] = [];
  private readonly notifThreads: Thread[] = [];
  private readonly ticketThreads: Thread[] = [];
  private boundaryCounter = 0;

  constructor(opts: FactoryOptions) {
    this.role = folderRole(opts.folder);
    this.rng = new Rng(hashSeed(opts.seed, `content:${opts.folder}`));
    this.ownerDomain = opts.owner.email.slice(opts.owner.email.indexOf("@") + 1);
    const org = this.ownerDomain.split(".")[0] ?? "home";
    this.owner = {
      name: opts.owner.name,
      email: opts.owner.email,
      locale: "en",
      tz: 60,
      org: org.charAt(0).toUpperCase() + org.slice(1),
      client: "thunderbird",
    };
    this.folderTag = hashSeed(0, opts.folder).toString(36).slice(0, 4);
    this.seedTag = (opts.seed >>> 0).toString(36);
    this.deliveryHeaders = opts.deliveryHeaders ?? true;
  }

  /**
   * Next message, arriving at `dateMs`. `uniqHint` goes into the Message-ID (defaults to the
   * index), so ids stay unique per seed × folder × index.
   */
  create(
    index: number,
    dateMs: number,
    uniqHint?: string,
  ): Omit<GeneratedMessage, "flags"> & {
    fromPerson: boolean;
  } {
    const rng = this.rng;
    const received = this.role !== "sent" && this.role !== "drafts";
    const sentMs = received ? dateMs - rng.int(2, 150) * 1000 : dateMs;
    const ctx: Ctx = {
      index,
      dateMs,
      sentMs,
      uniq: `${this.seedTag}.${this.folderTag}.${uniqHint ?? index.toString(36)}`,
    };
    let c: Composed;
    switch (this.role) {
      case "sent":
        c = this.composeSent(ctx);
        break;
      case "drafts":
        c = this.composeDraft(ctx);
        break;
      case "junk":
        c = this.composeSpam(ctx);
        break;
      default:
        c = rng.chance(0.72) ? this.composeFromPerson(ctx) : this.composeFromService(ctx);
    }
    const raw = this.render(c, ctx, received);
    const out: Omit<GeneratedMessage, "flags"> & { fromPerson: boolean } = {
      raw,
      date: new Date(dateMs),
      messageId: c.messageId,
      subject: c.subject ?? "",
      from: c.from.email,
      kind: c.kind,
      index,
      fromPerson: c.fromPerson,
    };
    if (c.inReplyTo) out.inReplyTo = c.inReplyTo;
    return out;
  }

  // ---- small helpers -------------------------------------------------------------------------

  private fill(template: string, locale: Locale, org: string): string {
    if (!template.includes("{")) return template;
    const rng = this.rng;
    return template.replace(/\{(\w+)\}/g, (m, key: string) => {
      switch (key) {
        case "project":
          return rng.pick(PROJECTS);
        case "city":
          return rng.pick(CITIES);
        case "weekday":
          return rng.pick(WEEKDAYS);
        case "n":
          return String(rng.int(100, 9999));
        case "amount": {
          const v = rng.int(1200, 2_500_000) / 100;
          return locale === "en"
            ? `$${v.toLocaleString("en-US", { minimumFractionDigits: 2 })}`
            : `${v.toLocaleString("de-DE", { minimumFractionDigits: 2 })} EUR`;
        }
        case "link":
          return `https://docs.${org.toLowerCase()}.example/d/${rng.token(10)}`;
        default:
          return m;
      }
    });
  }

  private messageId(domain: string, client: MailClient | "service", uniq: string): string {
    const rng = this.rng;
    switch (client) {
      case "apple":
        return `<${rng.token(8).toUpperCase()}-${uniq.toUpperCase()}@${domain}>`;
      case "outlook":
        return `<${rng.token(12).toUpperCase()}.${uniq}@${domain.replace(/\./g, "-")}.prod.outlook.example>`;
      case "webmail":
        return `<CA+${rng.token(14)}.${uniq}@mail.${domain}>`;
      case "service":
        return `<${uniq}.${rng.token(10)}@${domain}>`;
      default:
        return `<${rng.token(8)}-${rng.token(4)}.${uniq}@${domain}>`;
    }
  }

  private boundary(client: MailClient | "service"): string {
    const rng = this.rng;
    const n = this.boundaryCounter++ % 1000;
    switch (client) {
      case "thunderbird":
        return `------------${rng.token(22)}${n}`;
      case "apple":
        return `Apple-Mail=_${rng.token(8).toUpperCase()}-${rng.token(4).toUpperCase()}-${n}`;
      case "outlook":
        return `_00${n % 10}_${rng.token(20).toUpperCase()}_`;
      case "webmail":
        return `0000000000${n}${rng.token(14)}`;
      case "service":
        return `=_ferry_${rng.token(16)}_${n}`;
      default:
        return `${rng.token(16)}${n}`;
    }
  }

  /** A text leaf in `charset` (falling back to UTF-8) with a transfer encoding to match. */
  private textPart(
    subtype: "plain" | "html" | "calendar",
    text: string,
    charset: Charset,
    client: MailClient | "service",
    ctParams = "",
  ): Part {
    const rng = this.rng;
    let bytes: Buffer;
    let cs: Charset;
    if (subtype === "html") {
      cs = charset;
      bytes = encodeHtml(text, charset);
    } else {
      const enc = encodeWithFallback(text, charset);
      bytes = enc.bytes;
      cs = enc.charset;
    }
    let cte: Cte;
    if (cs === "ISO-2022-JP" || (cs !== "Shift_JIS" && allAscii(bytes))) cte = "7bit";
    else if (cs === "Shift_JIS") cte = "base64";
    else if (cs === "KOI8-R") cte = rng.chance(0.5) ? "8bit" : "base64";
    else if (cs === "UTF-8") {
      cte = rng.weighted<Cte>([
        ["quoted-printable", 60],
        ["base64", 25],
        ["8bit", 15],
      ]);
    } else cte = rng.chance(0.8) ? "quoted-printable" : "8bit";
    let body: string;
    switch (cte) {
      case "7bit":
        body = bytes.toString("latin1");
        break;
      case "8bit":
        body = bytes.toString("latin1");
        break;
      case "quoted-printable":
        body = cs === "UTF-8" ? qpUtf8(text) : encodeQP(bytes);
        break;
      case "base64":
        body = base64Wrapped(bytes);
        break;
    }
    if (!body.endsWith(CRLF)) body += CRLF;
    const quote = client === "outlook" ? '"' : "";
    const headers = [
      `Content-Type: text/${subtype}; charset=${quote}${cs}${quote}${ctParams}`,
      `Content-Transfer-Encoding: ${cte}`,
    ];
    return { leaf: true, headers, body };
  }

  private attachmentPart(
    contentType: string,
    filename: string,
    b64: string,
    client: MailClient | "service",
  ): Part {
    // filename parameter styles differ by client: RFC 2231 vs encoded-word in quotes
    let nameParam: string;
    let fileParam: string;
    if (isAscii(filename)) {
      nameParam = `name="${filename}"`;
      fileParam = `filename="${filename}"`;
    } else if (client === "outlook" || client === "webmail") {
      const ew = encodedWords(filename, "UTF-8", "B").join(" ");
      nameParam = `name="${ew}"`;
      fileParam = `filename="${ew}"`;
    } else {
      nameParam = param("name", filename);
      fileParam = param("filename", filename);
    }
    return {
      leaf: true,
      headers: [
        header("Content-Type", `${contentType}; ${nameParam}`),
        header("Content-Disposition", `attachment; ${fileParam}`),
        "Content-Transfer-Encoding: base64",
      ],
      body: `${b64}${CRLF}`,
    };
  }

  private pickCharset(locale: Locale): Charset {
    return this.rng.weighted(LOCALES[locale].charsets);
  }

  private recentThread(list: Thread[]): Thread | undefined {
    if (list.length === 0) return undefined;
    const r = this.rng.next();
    return list[list.length - 1 - Math.floor(r * r * list.length)];
  }

  private advanceThread(
    list: Thread[],
    t: Thread,
    id: string,
    from: Person | "owner",
    text: string,
    dateMs: number,
  ): void {
    t.ids.push(id);
    t.lastFrom = from;
    t.lastText = text;
    t.lastDate = dateMs;
    t.left--;
    if (t.left <= 0) {
      const i = list.indexOf(t);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /** Files a service message (notification, ticket) into its thread: the first opens it. */
  private linkServiceThread(
    list: Thread[],
    t: Thread,
    c: Composed,
    inReplyTo: string | undefined,
    references: string[] | undefined,
    text: string,
    dateMs: number,
  ): void {
    if (inReplyTo) c.inReplyTo = inReplyTo;
    if (references) c.references = references;
    if (t.ids.length === 0) {
      t.ids.push(c.messageId);
      this.openThread(list, t);
    } else this.advanceThread(list, t, c.messageId, "owner", text, dateMs);
  }

  private openThread(list: Thread[], t: Thread): void {
    if (t.left <= 0) return;
    list.push(t);
    if (list.length > 40) list.shift();
  }

  private references(ids: readonly string[]): string[] {
    return ids.length > 10 ? [ids[0] as string, ...ids.slice(-9)] : ids.slice();
  }

  private quoteHeader(locale: Locale, dateMs: number, tz: number, name: string): string {
    return LOCALES[locale].wrote(formatDate(dateMs, tz), name);
  }

  // ---- mail from people ------------------------------------------------------------------------

  private composeFromPerson(ctx: Ctx): Composed {
    const rng = this.rng;
    const owner = this.owner;
    let thread = rng.chance(0.34) ? this.recentThread(this.threads) : undefined;
    let from: Person;
    let subject: string;
    let inReplyTo: string | undefined;
    let references: string[] | undefined;
    let quote: Doc["quote"];
    if (thread) {
      const t = thread;
      const others = t.participants.filter((p) => p !== t.lastFrom);
      from = others.length > 0 && rng.chance(0.5) ? rng.pick(others) : t.starter;
      const chain = t.ids.slice();
      let quotedName: string;
      let quotedTz: number;
      if (from === t.lastFrom || t.lastFrom === "owner" || rng.chance(0.4)) {
        // replying to the owner's answer, which lives in Sent
        chain.push(`<${rng.token(8)}.${ctx.uniq}r@${this.ownerDomain}>`);
        quotedName = owner.name;
        quotedTz = owner.tz;
      } else {
        quotedName = t.lastFrom.name;
        quotedTz = t.lastFrom.tz;
      }
      inReplyTo = chain[chain.length - 1];
      references = this.references(chain);
      const prefix = from.locale === "de" && from.client === "outlook" ? "AW: " : "Re: ";
      subject = `${prefix}${t.base}`;
      quote = {
        header: this.quoteHeader(from.locale, t.lastDate, quotedTz, quotedName),
        text: t.lastText,
      };
    } else {
      from = rng.pick(PEOPLE);
      subject = this.fill(rng.pick(LOCALES[from.locale].subjects), from.locale, from.org);
    }
    const loc = LOCALES[from.locale];
    const domain = from.email.slice(from.email.indexOf("@") + 1);
    const messageId = this.messageId(domain, from.client, ctx.uniq);
    const paraCount = thread ? rng.int(1, 2) : rng.int(1, 4);
    const paras: string[] = [];
    for (const p of rng.sample(loc.paragraphs, paraCount))
      paras.push(this.fill(p, from.locale, from.org));
    const doc: Doc = {
      greeting: loc.greeting(firstName(owner, from.locale)),
      paras,
      signoff: rng.pick(loc.signoff),
      signer: firstName(from, from.locale),
      rtl: from.locale === "ar",
    };
    if (quote) doc.quote = quote;
    if (rng.chance(0.3)) {
      doc.signature = rng
        .pick(SIGNATURES)
        .replace("{name}", from.name)
        .replace("{org}", from.org)
        .replace("{email}", from.email);
    }

    // recipients
    const to = [this.addr(owner.name, owner.email)];
    let cc: string[] | undefined;
    const extra = rng.chance(0.25)
      ? rng.sample(PEOPLE, rng.int(1, 4)).filter((p) => p !== from)
      : [];
    for (const p of extra) to.push(this.addr(p.name, p.email));
    if (rng.chance(0.18)) {
      cc = rng
        .sample(PEOPLE, rng.int(1, 3))
        .filter((p) => p !== from)
        .map((p) => this.addr(p.name, p.email));
      if (cc.length === 0) cc = undefined;
    }

    const kind: MessageKind = thread
      ? rng.weighted<MessageKind>([
          ["plain", 55],
          ["alternative", 35],
          ["attachments", 10],
        ])
      : rng.weighted<MessageKind>([
          ["plain", 30],
          ["alternative", 22],
          ["remote-images", 8],
          ["attachments", 18],
          ["inline-images", 10],
          ["forward", 5],
          ["invite", 7],
        ]);
    const charset = this.pickCharset(from.locale);
    let body: Part;
    let finalSubject = subject;
    switch (kind) {
      case "plain":
        body = this.textPart("plain", docText(doc), charset, from.client);
        break;
      case "alternative":
        body = this.alternative(doc, charset, from.client);
        break;
      case "remote-images":
        doc.logo = {
          url: `http://images.example.invalid/logos/${from.org.toLowerCase()}.png`,
          alt: from.org,
        };
        doc.paras.push(
          `Here's the mockup: http://images.example.invalid/mockups/${rng.token(6)}.png — tell me what you think.`,
        );
        body = this.alternative(doc, charset, from.client);
        break;
      case "attachments":
        body = this.withAttachments(doc, charset, from, ctx);
        break;
      case "inline-images":
        body = this.related(doc, charset, from, ctx);
        break;
      case "forward": {
        finalSubject = `Fwd: ${subject}`;
        body = this.forward(doc, charset, from, ctx);
        break;
      }
      case "invite":
        body = this.invite(doc, charset, from, ctx, subject);
        break;
      default:
        body = this.textPart("plain", docText(doc), charset, from.client);
    }

    const firstPara = paras[0] ?? "";
    if (thread) {
      this.advanceThread(this.threads, thread, messageId, from, firstPara, ctx.sentMs);
    } else if (kind !== "forward") {
      thread = {
        base: subject,
        ids: [messageId],
        starter: from,
        participants: [from, ...extra],
        lastFrom: from,
        lastText: firstPara,
        lastDate: ctx.sentMs,
        left: rng.chance(0.55) ? rng.int(1, 9) : 0,
      };
      this.openThread(this.threads, thread);
    }

    const c: Composed = {
      from: { name: from.name, email: from.email, tz: from.tz, client: from.client },
      to,
      subject: finalSubject,
      messageId,
      extra: this.clientHeaders(from.client, from.locale),
      body,
      kind,
      fromPerson: true,
    };
    if (cc) c.cc = cc;
    if (inReplyTo) c.inReplyTo = inReplyTo;
    if (references) c.references = references;
    // Japanese mail from classic clients carries the subject in ISO-2022-JP as well
    if (from.locale === "ja" && charset === "ISO-2022-JP") {
      c.subjectHeader = this.legacySubject(finalSubject, "ISO-2022-JP");
    } else if (from.locale === "ru" && charset === "KOI8-R") {
      c.subjectHeader = this.legacySubject(finalSubject, "KOI8-R");
    } else if ((from.locale === "de" || from.locale === "fr") && charset !== "UTF-8") {
      c.subjectHeader = this.legacySubject(finalSubject, "ISO-8859-1", "Q");
    }
    return c;
  }

  private legacySubject(
    subject: string,
    charset: Charset,
    mode: "B" | "Q" = "B",
  ): string | undefined {
    try {
      encodeCharset(subject, charset);
    } catch {
      return undefined;
    }
    return encodeUnstructured(subject, charset, mode);
  }

  private addr(name: string, email: string): string {
    return `${encodePhrase(name)} <${email}>`;
  }

  private clientHeaders(client: MailClient, locale: Locale): string[] {
    switch (client) {
      case "thunderbird":
        return [
          "User-Agent: Mozilla Thunderbird",
          `Content-Language: ${locale === "en" ? "en-US" : locale}`,
        ];
      case "apple":
        return ["X-Mailer: Apple Mail (2.3776.700.51)"];
      case "outlook":
        return [
          "X-Mailer: Microsoft Outlook 16.0",
          `Content-Language: ${locale === "en" ? "en-us" : locale}`,
        ];
      case "k9":
        return ["User-Agent: K-9 Mail for Android"];
      case "mutt":
        return ["User-Agent: NeoMutt/20240425"];
      default:
        return [];
    }
  }

  private alternative(doc: Doc, charset: Charset, client: MailClient | "service"): Part {
    const text = this.textPart("plain", docText(doc), charset, client);
    const htmlCharset = charset === "ISO-2022-JP" || charset === "Shift_JIS" ? "UTF-8" : charset;
    const html = this.textPart("html", docHtml(doc, htmlCharset), htmlCharset, client);
    return { leaf: false, subtype: "alternative", parts: [text, html] };
  }

  private withAttachments(doc: Doc, charset: Charset, from: Person, ctx: Ctx): Part {
    const rng = this.rng;
    const main = rng.chance(0.5)
      ? this.textPart("plain", docText(doc), charset, from.client)
      : this.alternative(doc, charset, from.client);
    const parts: Part[] = [main];
    const n = rng.weighted([
      [1, 70],
      [2, 22],
      [3, 8],
    ] as const);
    const year = new Date(ctx.sentMs).getUTCFullYear();
    for (let i = 0; i < n; i++) {
      const what = rng.weighted([
        ["pdf", 40],
        ["csv", 30],
        ["png", 30],
      ] as const);
      if (what === "pdf") {
        const no = rng.int(1000, 99999);
        const title = rng.pick(["Invoice", "Report", "Agenda", "Offer", "Minutes"]);
        const lines = [
          `${title} no. ${no}`,
          `Prepared for ${this.owner.name}`,
          `Issued by ${from.org}`,
          `Amount: ${rng.int(100, 9000)}.${rng.int(10, 99)} EUR`,
        ];
        const filename = this.localizedName(from.locale, title, "pdf", no);
        parts.push(
          this.attachmentPart(
            "application/pdf",
            filename,
            base64Wrapped(makePdf(`${title} ${no}`, lines)),
            from.client,
          ),
        );
      } else if (what === "csv") {
        const rows: (string | number)[][] = [["date", "item", "quantity", "amount"]];
        const count = rng.int(3, 14);
        for (let r = 0; r < count; r++) {
          const [item, price] = rng.pick(PRODUCTS);
          const q = rng.int(1, 12);
          rows.push([
            `${year}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}`,
            item,
            q,
            (price * q).toFixed(2),
          ]);
        }
        const filename = this.localizedName(from.locale, "export", "csv", year);
        parts.push(
          this.attachmentPart("text/csv", filename, base64Wrapped(makeCsv(rows)), from.client),
        );
      } else {
        const img = rng.pick(imagePool());
        parts.push(this.attachmentPart("image/png", img.name, img.b64, from.client));
      }
    }
    return { leaf: false, subtype: "mixed", parts };
  }

  private localizedName(locale: Locale, base: string, ext: string, n: number): string {
    switch (locale) {
      case "de":
        return `Übersicht_${base}_${n}.${ext}`;
      case "fr":
        return `Présentation ${base} ${n}.${ext}`;
      case "ja":
        return `会議資料_${n}.${ext}`;
      case "ru":
        return `отчёт_${n}.${ext}`;
      case "zh":
        return `文件_${n}.${ext}`;
      default:
        return `${base}-${n}.${ext}`;
    }
  }

  private related(doc: Doc, charset: Charset, from: Person, ctx: Ctx): Part {
    const rng = this.rng;
    const img = rng.pick(imagePool());
    const domain = from.email.slice(from.email.indexOf("@") + 1);
    const cid =
      from.client === "outlook"
        ? `image001.png@01DA${rng.token(4).toUpperCase()}.${ctx.uniq}`
        : `part1.${rng.token(8)}.${ctx.uniq}@${domain}`;
    doc.inlineCid = { cid, alt: img.name };
    const htmlCharset = charset === "ISO-2022-JP" || charset === "Shift_JIS" ? "UTF-8" : charset;
    const text = this.textPart("plain", docText(doc), charset, from.client);
    const html = this.textPart("html", docHtml(doc, htmlCharset), htmlCharset, from.client);
    const image: Part = {
      leaf: true,
      headers: [
        `Content-Type: image/png; name="${img.name}"`,
        `Content-Disposition: inline; filename="${img.name}"`,
        `Content-ID: <${cid}>`,
        "Content-Transfer-Encoding: base64",
      ],
      body: `${img.b64}${CRLF}`,
    };
    const rel: Part = {
      leaf: false,
      subtype: "related",
      parts: [html, image],
      params: '; type="text/html"',
    };
    return { leaf: false, subtype: "alternative", parts: [text, rel] };
  }

  private forward(doc: Doc, charset: Charset, from: Person, ctx: Ctx): Part {
    const rng = this.rng;
    const orig = rng.pick(PEOPLE.filter((p) => p.locale === "en"));
    const innerDate = ctx.sentMs - rng.int(1, 20) * DAY;
    const innerBody = `${wrap(this.fill(rng.pick(LOCALES.en.paragraphs), "en", orig.org))}${CRLF}${CRLF}${firstName(orig, "en")}${CRLF}`;
    const inner = [
      `From: ${this.addr(orig.name, orig.email)}`,
      `To: ${this.addr(from.name, from.email)}`,
      header("Subject", this.fill(rng.pick(LOCALES.en.subjects), "en", orig.org)),
      `Date: ${formatDate(innerDate, orig.tz)}`,
      `Message-ID: <${rng.token(10)}.${ctx.uniq}f@${orig.email.slice(orig.email.indexOf("@") + 1)}>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      `Content-Transfer-Encoding: ${isAscii(innerBody) ? "7bit" : "quoted-printable"}`,
      "",
      isAscii(innerBody) ? innerBody : qpUtf8(innerBody),
    ].join(CRLF);
    doc.paras = ["FYI, see the message below.", ...doc.paras.slice(0, 1)];
    delete doc.quote;
    const main = this.textPart("plain", docText(doc), charset, from.client);
    const att: Part = {
      leaf: true,
      headers: [
        "Content-Type: message/rfc822",
        'Content-Disposition: attachment; filename="forwarded.eml"',
      ],
      body: inner.endsWith(CRLF) ? inner : `${inner}${CRLF}`,
    };
    return { leaf: false, subtype: "mixed", parts: [main, att] };
  }

  private invite(doc: Doc, charset: Charset, from: Person, ctx: Ctx, subject: string): Part {
    const rng = this.rng;
    const start = Math.floor(ctx.sentMs / 3_600_000) * 3_600_000 + rng.int(1, 14) * DAY;
    const ics = makeIcs({
      uid: `${ctx.uniq}@${from.email.slice(from.email.indexOf("@") + 1)}`,
      summary: subject,
      startMs: start,
      minutes: rng.pick([30, 45, 60, 90]),
      organizer: from.email,
      attendees: [this.owner.email, ...rng.sample(PEOPLE, 2).map((p) => p.email)],
      location: rng.pick([
        "Room 4.12",
        "Video call",
        `${rng.pick(CITIES)} office`,
        "Café downstairs",
      ]),
      stampMs: ctx.sentMs,
    });
    doc.paras = [`You have been invited to "${subject}".`, ...doc.paras.slice(0, 1)];
    const text = this.textPart("plain", docText(doc), charset, from.client);
    const cal = this.textPart("calendar", ics, "UTF-8", from.client, "; method=REQUEST");
    const attachment = this.attachmentPart(
      "application/ics",
      "invite.ics",
      base64Wrapped(ics),
      from.client,
    );
    return {
      leaf: false,
      subtype: "mixed",
      parts: [{ leaf: false, subtype: "alternative", parts: [text, cal] }, attachment],
    };
  }

  // ---- automated senders ---------------------------------------------------------------------

  private composeFromService(ctx: Ctx): Composed {
    const rng = this.rng;
    const svc = rng.weighted<Service>(
      SERVICES.map(
        (s) => [s, s.kind === "newsletter" ? 3 : s.kind === "notification" ? 5 : 2] as const,
      ),
    );
    switch (svc.kind) {
      case "newsletter":
        return this.newsletter(svc, ctx);
      case "notification":
        return this.notification(svc, ctx);
      case "receipt":
        return this.receipt(svc, ctx);
      case "ticket":
        return this.ticket(svc, ctx);
      case "travel":
        return this.travel(svc, ctx);
      default:
        return this.alert(svc, ctx);
    }
  }

  private service(
    svc: Service,
    ctx: Ctx,
    kind: MessageKind,
    subject: string,
    body: Part,
    extra: string[] = [],
  ): Composed {
    const domain = svc.email.slice(svc.email.indexOf("@") + 1);
    return {
      from: { name: svc.name, email: svc.email, tz: 0, client: "service" },
      to: [this.addr(this.owner.name, this.owner.email)],
      subject,
      messageId: this.messageId(domain, "service", ctx.uniq),
      extra,
      body,
      kind,
      fromPerson: false,
    };
  }

  private listHeaders(svc: Service, listId: string): string[] {
    const token = this.rng.token(16);
    return [
      `List-Id: ${svc.org} <${listId}>`,
      header(
        "List-Unsubscribe",
        `<https://${svc.site}/unsubscribe/${token}>, <mailto:unsubscribe+${token}@${svc.email.slice(svc.email.indexOf("@") + 1)}>`,
      ),
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
      "Precedence: bulk",
    ];
  }

  private newsletter(svc: Service, ctx: Ctx): Composed {
    const rng = this.rng;
    const issue = 100 + Math.floor(ctx.index / 7);
    const heads = rng.sample(NEWSLETTER_HEADLINES, 3);
    const subject = `${svc.name} #${issue}: ${heads[0]}`;
    const img = "http://images.example.invalid";
    const site = svc.site;
    const slug = (h: string) =>
      h
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
    const textLines = [
      `${svc.name} — issue #${issue}`,
      `View in your browser: https://${site}/issues/${issue}`,
      "",
    ];
    const html = [
      "<!DOCTYPE html>",
      '<html><head><meta charset="utf-8"><title>',
      escapeHtml(subject),
      "</title></head>",
      '<body style="margin:0; background:#f4f4f4;">',
      '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">',
      '<table role="presentation" width="600" style="background:#ffffff; font-family:Georgia, serif;">',
      `<tr><td><a href="https://${site}/"><img src="${img}/${site}/banner.png" width="600" height="120" alt="${escapeHtml(svc.name)}"></a></td></tr>`,
    ];
    heads.forEach((h, i) => {
      const url = `https://${site}/issues/${issue}/${slug(h)}`;
      textLines.push(`${i + 1}. ${h}`, `   ${url}`, "");
      html.push(
        '<tr><td style="padding:16px 24px;">',
        `<img src="${img}/${site}/thumbs/${issue}-${i}.jpg" width="552" height="200" alt="">`,
        `<h2 style="font-size:20px;"><a href="${url}" style="color:#1a1a1a;">${escapeHtml(h)}</a></h2>`,
        `<p>${escapeHtml(rng.pick(LOCALES.en.paragraphs).replace(/\{\w+\}/g, "it"))}</p>`,
        `<p><a href="${url}?utm_source=newsletter&amp;utm_medium=email">Read more &rarr;</a></p>`,
        "</td></tr>",
      );
    });
    const token = rng.token(20);
    textLines.push(`Unsubscribe: https://${site}/unsubscribe/${token}`);
    html.push(
      `<tr><td style="padding:24px; font-size:12px; color:#888;">You are receiving this because you subscribed at ${site}. <a href="https://${site}/unsubscribe/${token}">Unsubscribe</a></td></tr>`,
      "</table></td></tr></table>",
      `<img src="${img}/t/${token}.gif" width="1" height="1" alt="" style="display:none;">`,
      "</body></html>",
    );
    const body: Part = {
      leaf: false,
      subtype: "alternative",
      parts: [
        this.textPart("plain", `${textLines.join(CRLF)}${CRLF}`, "UTF-8", "service"),
        this.textPart("html", `${html.join(CRLF)}${CRLF}`, "UTF-8", "service"),
      ],
    };
    return this.service(svc, ctx, "newsletter", subject, body, [
      ...this.listHeaders(svc, `newsletter.${site}`),
      `Reply-To: ${svc.name.replace(/[^\x20-\x7e]/g, "").trim()} <hello@${site}>`,
    ]);
  }

  private notification(svc: Service, ctx: Ctx): Composed {
    const rng = this.rng;
    const repo = "ferry/webmail";
    let t = rng.chance(0.6) ? this.recentThread(this.notifThreads) : undefined;
    const user = rng.pick(CODEHUB_USERS);
    const comment = rng.pick([
      "LGTM, just one nit about the naming.",
      "I can reproduce this on the latest main. Stack trace attached in the issue.",
      "Could you add a test for the reconnect path?",
      "Merged, thanks!",
      "This breaks the build on Node 20, see the CI log.",
      "Rebased on main, ready for another look.",
    ]);
    let subject: string;
    let num: number;
    let inReplyTo: string | undefined;
    let references: string[] | undefined;
    if (t) {
      num = t.number ?? 0;
      subject = `Re: [${repo}] ${t.base} (#${num})`;
      inReplyTo = t.ids[0];
      references = [t.ids[0] as string];
    } else {
      num = rng.int(100, 2400);
      const base = rng.pick(NOTIFICATION_TITLES);
      subject = `[${repo}] ${base} (#${num})`;
      t = {
        base,
        ids: [],
        starter: PEOPLE[0] as Person,
        participants: [],
        lastFrom: "owner",
        lastText: "",
        lastDate: ctx.sentMs,
        left: rng.int(1, 12),
        number: num,
      };
    }
    const kindWord = num % 3 === 0 ? "pull" : "issues";
    const url = `https://${svc.site}/${repo}/${kindWord}/${num}#comment-${rng.int(100000, 999999)}`;
    const text = `${comment}${CRLF}${CRLF}—${CRLF}Reply to this email directly, view it on CodeHub:${CRLF}${url}${CRLF}You are receiving this because you are subscribed to this thread.${CRLF}`;
    const html = `<p><b>@${user}</b> commented on this ${kindWord === "pull" ? "pull request" : "issue"}.</p>${CRLF}<p>${escapeHtml(comment)}</p>${CRLF}<p style="font-size:small;color:#666">&mdash;<br>Reply to this email directly, <a href="${url}">view it on CodeHub</a>.<img src="http://images.example.invalid/codehub/beacon/${rng.token(12)}.gif" height="1" width="1" alt=""></p>${CRLF}`;
    const body: Part = {
      leaf: false,
      subtype: "alternative",
      parts: [
        this.textPart("plain", text, "UTF-8", "service"),
        this.textPart("html", html, "UTF-8", "service"),
      ],
    };
    const c = this.service(svc, ctx, "notification", subject, body, [
      `List-Id: ${repo} <webmail.ferry.${svc.site}>`,
      "X-CodeHub-Reason: subscribed",
      "Precedence: list",
    ]);
    c.from = { ...c.from, name: user };
    c.messageId = `<${repo}/${kindWord}/${num}/${ctx.uniq}@${svc.site}>`;
    this.linkServiceThread(this.notifThreads, t, c, inReplyTo, references, comment, ctx.sentMs);
    return c;
  }

  private receipt(svc: Service, ctx: Ctx): Composed {
    const rng = this.rng;
    const order = rng.int(100000, 999999);
    const items = rng.sample(PRODUCTS, rng.int(1, 4));
    let total = 0;
    const textRows: string[] = [];
    const htmlRows: string[] = [];
    for (const [name, price] of items) {
      const q = rng.int(1, 3);
      total += price * q;
      textRows.push(`${q} x ${name}`.padEnd(40) + (price * q).toFixed(2).padStart(10));
      htmlRows.push(
        `<tr><td>${q} &times; ${escapeHtml(name)}</td><td align="right">${(price * q).toFixed(2)}</td></tr>`,
      );
    }
    const subject =
      svc.org === "Acme" ? `Invoice ${order} from Acme` : `Your order #${order} has shipped 📦`;
    const text = `Thank you for your order!${CRLF}${CRLF}Order #${order}${CRLF}${textRows.join(CRLF)}${CRLF}${"Total".padEnd(40)}${total.toFixed(2).padStart(10)} EUR${CRLF}${CRLF}Track your order: https://${svc.site}/orders/${order}${CRLF}`;
    const html = [
      '<html><body style="font-family:Arial, sans-serif;">',
      `<img src="http://images.example.invalid/${svc.site}/logo.png" width="140" height="40" alt="${escapeHtml(svc.org)}">`,
      `<h1 style="font-size:18px;">Order #${order}</h1>`,
      '<table cellpadding="4" style="border-collapse:collapse;">',
      ...htmlRows,
      `<tr><td><b>Total</b></td><td align="right"><b>${total.toFixed(2)} EUR</b></td></tr>`,
      "</table>",
      `<p><a href="https://${svc.site}/orders/${order}">Track your order</a></p>`,
      "</body></html>",
    ].join(CRLF);
    const alt: Part = {
      leaf: false,
      subtype: "alternative",
      parts: [
        this.textPart("plain", text, "UTF-8", "service"),
        this.textPart("html", `${html}${CRLF}`, "UTF-8", "service"),
      ],
    };
    const pdf = makePdf(`Invoice ${order}`, [
      `Customer: ${this.owner.name}`,
      ...items.map(([n, pr]) => `${n}: ${pr.toFixed(2)} EUR`),
      `Total: ${total.toFixed(2)} EUR`,
    ]);
    const body: Part = {
      leaf: false,
      subtype: "mixed",
      parts: [
        alt,
        this.attachmentPart(
          "application/pdf",
          `invoice-${order}.pdf`,
          base64Wrapped(pdf),
          "service",
        ),
      ],
    };
    return this.service(svc, ctx, "receipt", subject, body);
  }

  private alert(svc: Service, ctx: Ctx): Composed {
    const rng = this.rng;
    const amount = `${rng.int(3, 900)}.${rng.int(10, 99)} EUR`;
    const variants: [string, string][] = [
      [
        "New sign-in to your account",
        `We noticed a new sign-in to your account from Firefox on Linux (${rng.pick(CITIES)}).${CRLF}${CRLF}If this was you, you can ignore this message. If not, secure your account at https://${svc.site}/security${CRLF}`,
      ],
      [
        `Payment of ${amount} received`,
        `A card payment of ${amount} was made on ${new Date(ctx.sentMs).toISOString().slice(0, 10)}.${CRLF}${CRLF}Merchant: ${rng.pick(PRODUCTS)[0]} store${CRLF}Details: https://${svc.site}/activity${CRLF}`,
      ],
      [
        "Your monthly statement is ready",
        `Your statement for ${new Date(ctx.sentMs).toISOString().slice(0, 7)} is now available in online banking: https://${svc.site}/statements${CRLF}`,
      ],
      [
        "Verify your email address",
        `Please confirm your email address by opening this link within 24 hours:${CRLF}https://${svc.site}/verify/${rng.token(24)}${CRLF}`,
      ],
    ];
    const [subject, text] = rng.pick(variants);
    return this.service(
      svc,
      ctx,
      "alert",
      subject,
      this.textPart("plain", text, "UTF-8", "service"),
      ["Auto-Submitted: auto-generated"],
    );
  }

  private ticket(svc: Service, ctx: Ctx): Composed {
    const rng = this.rng;
    let t = rng.chance(0.5) ? this.recentThread(this.ticketThreads) : undefined;
    let subject: string;
    let inReplyTo: string | undefined;
    let references: string[] | undefined;
    if (t) {
      subject = `Re: [Ticket #${t.number}] ${t.base}`;
      inReplyTo = t.ids[t.ids.length - 1];
      references = this.references(t.ids);
    } else {
      const base = rng.pick(TICKET_TOPICS);
      const number = rng.int(10000, 99999);
      subject = `[Ticket #${number}] ${base}`;
      t = {
        base,
        ids: [],
        starter: PEOPLE[0] as Person,
        participants: [],
        lastFrom: "owner",
        lastText: "",
        lastDate: ctx.sentMs,
        left: rng.int(1, 4),
        number,
      };
    }
    const status = rng.pick(["opened", "updated", "waiting for your reply", "resolved"]);
    const text = `Your ticket #${t.number} has been ${status}.${CRLF}${CRLF}${t.base}${CRLF}${CRLF}Agent note: ${rng.pick(
      [
        "We have ordered a replacement; it should arrive within three working days.",
        "Please restart the machine and tell us whether the problem persists.",
        "Access has been granted. It can take up to an hour to propagate.",
        "Closing this ticket. Reply to this email to reopen it.",
      ],
    )}${CRLF}${CRLF}-- ${CRLF}Initech IT Helpdesk · https://${svc.site}/tickets/${t.number}${CRLF}`;
    const c = this.service(
      svc,
      ctx,
      "ticket",
      subject,
      this.textPart("plain", text, "UTF-8", "service"),
      ["Auto-Submitted: auto-replied"],
    );
    this.linkServiceThread(this.ticketThreads, t, c, inReplyTo, references, status, ctx.sentMs);
    return c;
  }

  private travel(svc: Service, ctx: Ctx): Composed {
    const rng = this.rng;
    const city = rng.pick(CITIES);
    const subject = rng.pick(TRAVEL_DEALS).replace("{city}", city);
    const img = `http://images.example.invalid/${svc.site}`;
    const link = `https://${svc.site}/deals/${encodeURIComponent(city.toLowerCase())}?ref=${rng.token(8)}`;
    const text = `${subject}${CRLF}${CRLF}Book now: ${link}${CRLF}${CRLF}Prices include taxes. Limited availability.${CRLF}`;
    const html = [
      '<html><body style="margin:0;font-family:Verdana, sans-serif;">',
      `<a href="${link}"><img src="${img}/hero-${city.length % 5}.jpg" width="600" height="300" alt="${escapeHtml(city)}"></a>`,
      `<h1 style="color:#d32f2f;">${escapeHtml(subject)}</h1>`,
      `<p>Fly to ${escapeHtml(city)} and stay three nights from just ${rng.int(99, 499)} &euro;.</p>`,
      `<p><a href="${link}" style="background:#d32f2f;color:#fff;padding:12px 24px;text-decoration:none;">Book now</a></p>`,
      `<p><img src="${img}/partners.png" width="600" height="60" alt="Our partners"></p>`,
      `<p style="font-size:11px;color:#999;"><a href="https://${svc.site}/unsubscribe">Unsubscribe</a></p>`,
      "</body></html>",
    ].join(CRLF);
    const body: Part = {
      leaf: false,
      subtype: "alternative",
      parts: [
        this.textPart("plain", text, "UTF-8", "service"),
        this.textPart("html", `${html}${CRLF}`, "UTF-8", "service"),
      ],
    };
    return this.service(
      svc,
      ctx,
      "travel",
      subject,
      body,
      this.listHeaders(svc, `deals.${svc.site}`),
    );
  }

  // ---- other folders ---------------------------------------------------------------------------

  private composeSent(ctx: Ctx): Composed {
    const rng = this.rng;
    const owner = this.owner;
    const t = rng.chance(0.4) ? this.recentThread(this.threads) : undefined;
    let to: Person;
    let subject: string;
    let inReplyTo: string | undefined;
    let references: string[] | undefined;
    let quote: Doc["quote"];
    if (t) {
      to = t.starter;
      const chain = t.ids.slice();
      // usually answering the other side's reply, which lives in the INBOX
      chain.push(`<${rng.token(8)}.${ctx.uniq}i@${to.email.slice(to.email.indexOf("@") + 1)}>`);
      inReplyTo = chain[chain.length - 1];
      references = this.references(chain);
      subject = `Re: ${t.base}`;
      quote = { header: this.quoteHeader("en", t.lastDate, to.tz, to.name), text: t.lastText };
    } else {
      to = rng.pick(PEOPLE);
      subject = this.fill(rng.pick(LOCALES.en.subjects), "en", owner.org);
    }
    const paras = rng
      .sample(LOCALES.en.paragraphs, rng.int(1, 3))
      .map((p) => this.fill(p, "en", owner.org));
    const doc: Doc = {
      greeting: LOCALES.en.greeting(firstName(to, to.locale)),
      paras,
      signoff: rng.pick(LOCALES.en.signoff),
      signer: firstName(owner, "en"),
    };
    if (quote) doc.quote = quote;
    const kind = rng.weighted<MessageKind>([
      ["plain", 45],
      ["alternative", 38],
      ["attachments", 17],
    ]);
    const body =
      kind === "plain"
        ? this.textPart("plain", docText(doc), "UTF-8", owner.client)
        : kind === "alternative"
          ? this.alternative(doc, "UTF-8", owner.client)
          : this.withAttachments(doc, "UTF-8", owner, ctx);
    const messageId = this.messageId(this.ownerDomain, owner.client, ctx.uniq);
    if (t) this.advanceThread(this.threads, t, messageId, "owner", paras[0] ?? "", ctx.sentMs);
    else {
      this.openThread(this.threads, {
        base: subject,
        ids: [messageId],
        starter: to,
        participants: [to],
        lastFrom: "owner",
        lastText: paras[0] ?? "",
        lastDate: ctx.sentMs,
        left: rng.chance(0.5) ? rng.int(1, 5) : 0,
      });
    }
    const c: Composed = {
      from: { name: owner.name, email: owner.email, tz: owner.tz, client: owner.client },
      to: [this.addr(to.name, to.email)],
      subject,
      messageId,
      extra: this.clientHeaders(owner.client, "en"),
      body,
      kind,
      fromPerson: false,
    };
    if (rng.chance(0.15)) c.cc = rng.sample(PEOPLE, 2).map((p) => this.addr(p.name, p.email));
    if (rng.chance(0.05)) c.bcc = [this.addr(rng.pick(PEOPLE).name, rng.pick(PEOPLE).email)];
    if (inReplyTo) c.inReplyTo = inReplyTo;
    if (references) c.references = references;
    return c;
  }

  private composeDraft(ctx: Ctx): Composed {
    const rng = this.rng;
    const owner = this.owner;
    const to = rng.chance(0.8) ? rng.pick(PEOPLE) : undefined;
    const subject = rng.chance(0.85)
      ? this.fill(rng.pick(LOCALES.en.subjects), "en", owner.org)
      : undefined;
    let text = rng.pick(DRAFT_FRAGMENTS);
    if (rng.chance(0.5)) text += ` ${this.fill(rng.pick(LOCALES.en.paragraphs), "en", owner.org)}`;
    const doc: Doc = { paras: [text] };
    if (to) doc.greeting = LOCALES.en.greeting(firstName(to, to.locale));
    const body = rng.chance(0.5)
      ? this.textPart("plain", docText(doc), "UTF-8", owner.client)
      : this.alternative(doc, "UTF-8", owner.client);
    return {
      from: { name: owner.name, email: owner.email, tz: owner.tz, client: owner.client },
      to: to ? [this.addr(to.name, to.email)] : [],
      subject,
      messageId: this.messageId(this.ownerDomain, owner.client, ctx.uniq),
      extra: ["X-Mozilla-Draft-Info: internal/draft; vcard=0; receipt=0; DSN=0; uuencode=0"],
      body,
      kind: "draft",
      fromPerson: false,
    };
  }

  private composeSpam(ctx: Ctx): Composed {
    const rng = this.rng;
    const name = rng.pick(SPAM_NAMES);
    const domain = rng.pick(SPAM_DOMAINS);
    const email = `${rng.pick(["info", "support", "no-reply", "winner", "admin"])}${rng.int(1, 999)}@${domain}`;
    const subject = rng.pick(SPAM_SUBJECTS);
    const para = rng.pick(SPAM_PARAGRAPHS);
    const link = `http://${domain}/verify?id=${rng.token(16)}`;
    const text = `${para}${CRLF}${CRLF}${link}${CRLF}`;
    const html = [
      "<html><body>",
      `<center><img src="http://images.example.invalid/${domain}/promo-${rng.int(1, 9)}.jpg" width="500" height="250" alt=""></center>`,
      `<p style="font-size:16px;">${escapeHtml(para)}</p>`,
      `<p><a href="${link}" style="font-size:20px;font-weight:bold;">CLICK HERE</a></p>`,
      `<img src="http://images.example.invalid/${domain}/open.gif?u=${rng.token(10)}" width="1" height="1">`,
      "</body></html>",
    ].join(CRLF);
    const body: Part = rng.chance(0.7)
      ? {
          leaf: false,
          subtype: "alternative",
          parts: [
            this.textPart("plain", text, "UTF-8", "service"),
            this.textPart("html", `${html}${CRLF}`, "UTF-8", "service"),
          ],
        }
      : this.textPart("html", `${html}${CRLF}`, "UTF-8", "service");
    const c: Composed = {
      from: { name, email, tz: rng.pick([-300, 0, 180, 480]), client: "service" },
      to: [this.addr(this.owner.name, this.owner.email)],
      subject,
      messageId: this.messageId(domain, "service", ctx.uniq),
      extra: ["X-Spam-Flag: YES", `X-Spam-Score: ${rng.int(60, 250) / 10}`],
      body,
      kind: "spam",
      fromPerson: false,
    };
    if (/[\u0400-\u04ff]/.test(subject)) c.subjectHeader = this.legacySubject(subject, "KOI8-R");
    else if (/[\u3040-\u30ff]/.test(subject) && !/[\uff00-\uffef]/.test(subject)) {
      c.subjectHeader = this.legacySubject(subject, "ISO-2022-JP");
    }
    if (!c.subjectHeader) delete c.subjectHeader;
    return c;
  }

  // ---- rendering -------------------------------------------------------------------------------

  private render(c: Composed, ctx: Ctx, received: boolean): Buffer {
    const lines: string[] = [];
    if (received && this.deliveryHeaders) {
      const fromDomain = c.from.email.slice(c.from.email.indexOf("@") + 1);
      lines.push(
        `Return-Path: <${c.from.email}>`,
        `Delivered-To: ${this.owner.email}`,
        `Received: from mail.${fromDomain} (mail.${fromDomain} [192.0.2.${(ctx.index % 250) + 1}])${CRLF}\tby mx.${this.ownerDomain} (Postfix) with ESMTPS id ${this.rng.token(10).toUpperCase()}${CRLF}\tfor <${this.owner.email}>; ${formatDate(ctx.dateMs, 0)}`,
      );
    }
    lines.push(header("From", this.addr(c.from.name, c.from.email)));
    if (c.to.length > 0) lines.push(header("To", c.to.join(", ")));
    if (c.cc) lines.push(header("Cc", c.cc.join(", ")));
    if (c.bcc) lines.push(header("Bcc", c.bcc.join(", ")));
    if (c.subject !== undefined) {
      const subjectValue = c.subjectHeader ?? encodeUnstructured(c.subject);
      lines.push(header("Subject", subjectValue));
    }
    lines.push(`Date: ${formatDate(ctx.sentMs, c.from.tz)}`);
    lines.push(`Message-ID: ${c.messageId}`);
    if (c.inReplyTo) lines.push(`In-Reply-To: ${c.inReplyTo}`);
    if (c.references && c.references.length > 0)
      lines.push(header("References", c.references.join(" ")));
    for (const h of c.extra) lines.push(h);
    lines.push("MIME-Version: 1.0");
    const client = c.from.client;
    let out = lines.join(CRLF) + CRLF;
    out += this.renderPart(c.body, client);
    return Buffer.from(out, "latin1");
  }

  /** Part headers + blank line + body (body ends with CRLF). */
  private renderPart(part: Part, client: MailClient | "service"): string {
    if (part.leaf) return `${part.headers.join(CRLF)}${CRLF}${CRLF}${part.body}`;
    const b = this.boundary(client);
    let out = `Content-Type: multipart/${part.subtype};${CRLF}\tboundary="${b}"${part.params ?? ""}${CRLF}${CRLF}`;
    if (client !== "service" && client !== "webmail")
      out += `This is a multi-part message in MIME format.${CRLF}`;
    for (const p of part.parts) {
      out += `${CRLF}--${b}${CRLF}${this.renderPart(p, client)}`;
    }
    out += `${CRLF}--${b}--${CRLF}`;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

/** Dates (epoch ms) for `count` messages spread over `spanDays` ending at `anchorMs`, ascending. */
function dateAt(i: number, count: number, startMs: number, spanMs: number, jitter: number): number {
  const ms = startMs + ((i + jitter) / count) * spanMs;
  return Math.floor(ms / 1000) * 1000;
}

/**
 * Lazily yields `count` messages for `folder`, oldest first. Deterministic in all options; the
 * generator keeps only thread state, so it streams 100k messages in bounded memory.
 */
export function* generateMessages(opts: GenerateOptions): Generator<GeneratedMessage> {
  const role = folderRole(opts.folder);
  const profile = PROFILES[role];
  const anchorMs = (opts.anchor ?? DEFAULT_ANCHOR).getTime();
  const spanMs = (opts.spanDays ?? profile.spanDays) * DAY;
  const startMs = anchorMs - spanMs;
  const factory = new MessageFactory({ seed: opts.seed, owner: opts.owner, folder: opts.folder });
  const dateRng = new Rng(hashSeed(opts.seed, `dates:${opts.folder}`));
  const flagRng = new Rng(hashSeed(opts.seed, `flags:${opts.folder}`));
  const count = Math.max(0, Math.floor(opts.count));
  for (let i = 0; i < count; i++) {
    const dateMs = dateAt(i, count, startMs, spanMs, dateRng.next());
    const m = factory.create(i, dateMs);
    const f = count > 1 ? i / (count - 1) : 1;
    const answered = m.fromPerson && flagRng.chance(profile.answered);
    const flagged = flagRng.chance(profile.flagged);
    const seen = answered || flagRng.chance(profile.seen(f));
    const { fromPerson: _fromPerson, ...rest } = m;
    yield { ...rest, flags: { seen, flagged, answered, draft: role === "drafts" } };
  }
}

/** All messages at once (convenience for small counts). */
export function generate(opts: GenerateOptions): GeneratedMessage[] {
  return Array.from(generateMessages(opts));
}

/** Fresh message arriving "now": unseen, no delivery headers (the LMTP server adds its own). */
export function createArrivalFactory(
  seed: number,
  owner: Owner,
): (index: number, dateMs: number) => GeneratedMessage {
  const factory = new MessageFactory({ seed, owner, folder: "INBOX", deliveryHeaders: false });
  return (index, dateMs) => {
    const { fromPerson: _fromPerson, ...m } = factory.create(
      index,
      dateMs,
      `n${dateMs.toString(36)}${index.toString(36)}`,
    );
    return { ...m, flags: { seen: false, flagged: false, answered: false, draft: false } };
  };
}
