/**
 * Body text for writing: the plain-text rendering of HTML (for a message's text alternative and
 * for quoting an HTML-only original), "> " quoting, the attribution line, and plain text turned
 * into HTML the bridge wrote itself (escaped, so no HTML from an original is ever passed on).
 */
import { simpleParser } from "mailparser";

/** Largest HTML reduced to text; beyond it the rest is dropped. */
const MAX_HTML_CHARS = 2_000_000;

/**
 * The visible text of `html`, with paragraphs and line breaks kept (mailparser's html-to-text
 * rendering, the one it gives HTML-only mail). Nothing from the HTML survives as markup.
 */
export async function htmlToPlain(html: string): Promise<string> {
  const source = Buffer.from(
    `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${html.slice(0, MAX_HTML_CHARS)}`,
    "utf8",
  );
  const parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  return (parsed.text ?? "").replace(/\r\n/g, "\n").trim();
}

/** `text` quoted for a reply: "> " before each line (">" before lines already quoted). */
export function quotePlain(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\n+$/, "")
    .split("\n")
    .map((line) => (line === "" ? ">" : line.startsWith(">") ? `>${line}` : `> ${line}`))
    .join("\n");
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Plain text as HTML: escaped, line breaks as <br>. */
export function plainToHtml(text: string): string {
  return escapeHtml(text.replace(/\r\n?/g, "\n")).replace(/\n/g, "<br>\n");
}

function validTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return "UTC";
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

/** A date as the attribution line shows it, e.g. "Mon, 3 Feb 2025 at 14:05". */
export function formatQuoteDate(date: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: validTimeZone(timeZone),
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("weekday")}, ${get("day")} ${get("month")} ${get("year")} at ${get("hour")}:${get("minute")}`;
}

/** "Alice Example <alice@example.test>", or the bare address without a name. */
export function formatAddress(addr: { name: string; address: string }): string {
  return addr.name ? `${addr.name} <${addr.address}>` : addr.address;
}

/** "On <date>, <name> wrote:" (without a date when the original has none). */
export function attributionLine(
  date: Date | null,
  from: { name: string; address: string } | undefined,
  timeZone?: string,
): string {
  const who = from ? formatAddress(from) : "someone";
  return date ? `On ${formatQuoteDate(date, timeZone)}, ${who} wrote:` : `${who} wrote:`;
}
