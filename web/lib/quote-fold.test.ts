// @vitest-environment jsdom
/**
 * What the reader folds behind "…": crafted replies in the shapes mail clients write (top-posted,
 * inline, Gmail, Thunderbird, Apple Mail, Outlook), the seeded fixture's replies and the vendored
 * corpus; that nothing is ever dropped (text: by property; HTML: the same text, in order); and
 * that the fold goes through the sanitizer and keeps to what DOMPurify allows.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CORPUS_DIR } from "../../packages/mail-server/src/corpus-dir";
import { generate } from "../../packages/mail-server/src/seed/generate";
import {
  type MimeNode,
  parseMime,
  partText,
  walk,
} from "../../packages/mail-server/src/seed/test-utils";
import { FOLD_CLASS, foldHtmlQuotes, foldPlainText, mayFoldHtml } from "./quote-fold";
import { sanitizeEmailHtml } from "./sanitize";

const ATTRIBUTION = "On Mon, 2 Jun 2025 at 09:30, Alice Example <alice@ferry.test> wrote:";
const ATTRIBUTION_HTML = ATTRIBUTION.replace("<", "&lt;").replace(">", "&gt;");

function html(body: string): Document {
  return new DOMParser().parseFromString(`<html><body>${body}</body></html>`, "text/html");
}

/** The folded document's visible text and the text inside the fold. */
function split(doc: Document): { shown: string; folded: string } {
  const details = doc.querySelector(`details.${FOLD_CLASS}`);
  const folded = details ? (details.textContent ?? "").replace(/^…/, "") : "";
  details?.remove();
  return { shown: doc.body.textContent ?? "", folded };
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

describe("plain text", () => {
  it("folds a top-posted reply's quote with its attribution line", () => {
    const text = `Sounds good, see you then.\n\nBob\n\n${ATTRIBUTION}\n> Lunch on Friday?\n> Alice\n`;
    const fold = foldPlainText(text);
    expect(fold?.shown).toBe("Sounds good, see you then.\n\nBob\n\n");
    expect(fold?.folded).toBe(`${ATTRIBUTION}\n> Lunch on Friday?\n> Alice\n`);
  });

  it("folds the signature and the quote below it together", () => {
    const text = `Yes.\r\n\r\n-- \r\nBob Builder\r\nACME\r\n\r\n${ATTRIBUTION}\r\n> Ready?\r\n`;
    const fold = foldPlainText(text);
    expect(fold?.shown).toBe("Yes.\r\n\r\n");
    expect(fold?.folded.startsWith("-- \r\nBob Builder")).toBe(true);
  });

  it("folds a signature alone", () => {
    expect(foldPlainText("Hello there.\n--\nBob\n")?.folded).toBe("--\nBob\n");
  });

  it("joins Gmail's attribution line wrapped in two", () => {
    const text =
      "Thanks!\n\nOn Mon, Jun 2, 2025 at 9:30 AM Alice Example <\nalice@ferry.test> wrote:\n\n> Here it is.\n";
    expect(foldPlainText(text)?.shown).toBe("Thanks!\n\n");
  });

  it("folds from Outlook's original-message header to the end, quoted or not", () => {
    const text =
      "Approved.\n\n-----Original Message-----\nFrom: Alice\nSent: Monday\nSubject: Budget\n\nPlease approve.\n";
    expect(foldPlainText(text)?.folded.startsWith("-----Original Message-----")).toBe(true);
    const rule =
      "Approved.\n\n________________________________\nFrom: Alice\nSent: Monday\n\nPlease approve.\n";
    expect(foldPlainText(rule)?.shown).toBe("Approved.\n\n");
  });

  it("keeps an inline reply's quotes, which alternate with the answers, in view", () => {
    const text = `${ATTRIBUTION}\n> Friday?\nYes.\n\n> Where?\nThe usual place.\n`;
    expect(foldPlainText(text)).toBeNull();
  });

  it("folds only the unanswered rest after an inline reply's last answer", () => {
    const text = `${ATTRIBUTION}\n> Friday?\nYes.\n\n> Thanks,\n> Alice\n`;
    const fold = foldPlainText(text);
    expect(fold?.shown).toBe(`${ATTRIBUTION}\n> Friday?\nYes.\n\n`);
    expect(fold?.folded).toBe("> Thanks,\n> Alice\n");
  });

  it("does not fold a message that is nothing but quote, or has none", () => {
    expect(foldPlainText(`${ATTRIBUTION}\n> Lunch?\n`)).toBeNull();
    expect(foldPlainText("-- \nBob\n")).toBeNull();
    expect(foldPlainText("Just a note.\nNo quote here.\n")).toBeNull();
    expect(foldPlainText("")).toBeNull();
  });

  it("does not fold a forwarded message, which is what is being sent", () => {
    const text = "FYI\n\n---------- Forwarded message ---------\nFrom: Alice\n\nThe report.\n";
    expect(foldPlainText(text)).toBeNull();
  });

  it("keeps a paragraph that ends in a colon but is no attribution", () => {
    const text = "Hi Bob,\n\nSee my comment below:\n\n> the original\n";
    expect(foldPlainText(text)?.shown).toBe("Hi Bob,\n\nSee my comment below:\n\n");
  });

  it("never drops text, and never folds all that the sender wrote", () => {
    const line = fc.oneof(
      fc.constantFrom(
        "",
        " ",
        "> quoted",
        ">",
        "-- ",
        "--",
        ATTRIBUTION,
        "-----Original Message-----",
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom("\n", "\r\n"), (lines, nl) => {
        const text = lines.join(nl);
        const fold = foldPlainText(text);
        if (!fold) return;
        expect(fold.shown + fold.folded).toBe(text);
        expect(
          fold.shown.split(/\r?\n/).some((l) => l.trim() !== "" && !l.trim().startsWith(">")),
        ).toBe(true);
        expect(fold.folded.trim()).not.toBe("");
      }),
    );
  });
});

describe("HTML", () => {
  it("folds Gmail's quote and signature, one fold at the end", () => {
    const doc = html(
      `<div dir="ltr">Sounds good.<br clear="all"><div><br></div>-- <br><div dir="ltr" class="gmail_signature">Bob Builder</div></div><br>` +
        `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">${ATTRIBUTION_HTML}<br></div>` +
        `<blockquote class="gmail_quote">Lunch on Friday?</blockquote></div>`,
    );
    expect(foldHtmlQuotes(doc, "Show trimmed content")).toBe(true);
    expect(doc.querySelectorAll(`details.${FOLD_CLASS}`)).toHaveLength(1);
    const summary = doc.querySelector(`details.${FOLD_CLASS} > summary`);
    expect(summary?.textContent).toBe("…");
    expect(summary?.getAttribute("aria-label")).toBe("Show trimmed content");
    const { shown, folded } = split(doc);
    expect(squash(shown)).toBe("Sounds good.");
    expect(squash(folded)).toBe(`-- Bob Builder${ATTRIBUTION}Lunch on Friday?`);
  });

  it("folds Thunderbird's and Apple Mail's cited blockquote with the line before it", () => {
    const doc = html(
      `<p>Yes, Friday.</p><div class="moz-cite-prefix">${ATTRIBUTION_HTML}<br></div>` +
        `<blockquote type="cite" cite="mid:1@x">Lunch?<blockquote type="cite">Older</blockquote></blockquote>`,
    );
    expect(foldHtmlQuotes(doc, "…")).toBe(true);
    const { shown, folded } = split(doc);
    expect(squash(shown)).toBe("Yes, Friday.");
    expect(squash(folded)).toBe(`${ATTRIBUTION}Lunch?Older`);
  });

  it("folds Outlook's reply header and everything after it", () => {
    const doc = html(
      `<div>Approved.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%">` +
        `<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Alice<br><b>Sent:</b> Monday</div>` +
        `<div>Please approve.<blockquote>an older quote</blockquote></div><p>Alice</p>`,
    );
    expect(foldHtmlQuotes(doc, "…")).toBe(true);
    const { shown, folded } = split(doc);
    expect(squash(shown)).toBe("Approved.");
    expect(squash(folded)).toBe("From: AliceSent: MondayPlease approve.an older quoteAlice");
  });

  it("folds from an -----Original Message----- line, splitting the wrapper it starts in", () => {
    const doc = html(
      `<div style="font-family:Arial"><p>Approved.</p><p>-----Original Message-----</p><p>From: Alice</p><p>Please approve.</p></div>`,
    );
    expect(foldHtmlQuotes(doc, "…")).toBe(true);
    const details = doc.querySelector(`details.${FOLD_CLASS}`);
    expect(details?.querySelector('div[style="font-family:Arial"]')).not.toBeNull();
    const { shown, folded } = split(doc);
    expect(squash(shown)).toBe("Approved.");
    expect(squash(folded)).toBe("-----Original Message-----From: AlicePlease approve.");
  });

  it("keeps an inline reply's quotes in view, and folds only a quote left at the end", () => {
    const inline = html(
      `<div class="moz-cite-prefix">${ATTRIBUTION_HTML}</div><blockquote type="cite">Friday?</blockquote>Yes.<blockquote type="cite">Where?</blockquote>The usual place.`,
    );
    expect(foldHtmlQuotes(inline, "…")).toBe(false);
    expect(inline.querySelector("details")).toBeNull();

    const rest = html(
      `<div class="moz-cite-prefix">${ATTRIBUTION_HTML}</div><blockquote type="cite">Friday?</blockquote>Yes.<blockquote type="cite">Thanks, Alice</blockquote>`,
    );
    expect(foldHtmlQuotes(rest, "…")).toBe(true);
    const { shown, folded } = split(rest);
    expect(squash(shown)).toBe(`${ATTRIBUTION}Friday?Yes.`);
    expect(squash(folded)).toBe("Thanks, Alice");
  });

  it("does not fold a message that is all quote, a quotation without attribution, or an image after the quote", () => {
    const all = html(
      `<div class="gmail_quote">${ATTRIBUTION_HTML}<blockquote>Lunch?</blockquote></div>`,
    );
    expect(foldHtmlQuotes(all, "…")).toBe(false);
    const quotation = html(
      "<p>As the poet said,</p><blockquote>Hope is the thing with feathers</blockquote>",
    );
    expect(foldHtmlQuotes(quotation, "…")).toBe(false);
    const image = html(
      `<p>Here:</p><blockquote type="cite">old</blockquote><img src="data:image/png;base64,AA" alt="">`,
    );
    expect(foldHtmlQuotes(image, "…")).toBe(false);
  });
});

/** The text parts of a raw message (test-utils' small MIME reader), or none when it cannot read it. */
function textParts(raw: Buffer): MimeNode[] {
  try {
    return walk(parseMime(raw.toString("latin1"))).filter(
      (n) => n.type === "text/plain" || n.type === "text/html",
    );
  } catch {
    return [];
  }
}

function decoded(node: MimeNode): string {
  try {
    return partText(node);
  } catch {
    return "";
  }
}

describe("the seeded fixture and the corpus", { timeout: 120_000 }, () => {
  const owner = { name: "Alice Example", email: "alice@ferry.test" };
  const inbox = generate({ seed: 7, count: 200, owner, folder: "INBOX" });

  it("folds every seeded reply's quote, and keeps its greeting in view", () => {
    let replies = 0;
    for (const m of inbox) {
      if (!m.inReplyTo) continue;
      const parts = textParts(m.raw);
      const plain = parts.find((p) => p.type === "text/plain");
      const rich = parts.find((p) => p.type === "text/html");
      if (!plain || !rich) continue;
      const text = decoded(plain);
      if (!/^> /m.test(text)) continue;
      replies++;
      const fold = foldPlainText(text);
      expect(fold, m.subject).not.toBeNull();
      expect(fold?.folded).toMatch(/^> /m);
      expect(fold?.shown).not.toMatch(/^> /m);
      expect(mayFoldHtml(decoded(rich))).toBe(true);
      const doc = new DOMParser().parseFromString(decoded(rich), "text/html");
      const before = squash(doc.body.textContent ?? "");
      expect(foldHtmlQuotes(doc, "…"), m.subject).toBe(true);
      expect(doc.querySelector(`details.${FOLD_CLASS} blockquote`)).not.toBeNull();
      expect(squash((doc.body.textContent ?? "").replace("…", ""))).toBe(before);
    }
    expect(replies).toBeGreaterThan(10);
  });

  it("leaves seeded mail that quotes nothing unfolded, but for a plain-text signature", () => {
    let checked = 0;
    for (const m of inbox) {
      if (m.inReplyTo) continue;
      for (const part of textParts(m.raw)) {
        const text = decoded(part);
        if (part.type === "text/plain") {
          const fold = foldPlainText(text);
          if (fold) expect(fold.folded).toMatch(/^-- ?\r?\n/);
        } else {
          const doc = new DOMParser().parseFromString(text, "text/html");
          expect(foldHtmlQuotes(doc, "…"), m.subject).toBe(false);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it("keeps every corpus message's text, folded or not", () => {
    const files: string[] = [];
    for (const dir of ["enmime/mail", "enmime/low-quality", "postal-mime"]) {
      for (const f of readdirSync(join(CORPUS_DIR, dir))) {
        if (f.endsWith(".raw") || f.endsWith(".eml")) files.push(join(CORPUS_DIR, dir, f));
      }
    }
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      for (const part of textParts(readFileSync(file))) {
        const text = decoded(part).replace(/\r?\n/g, "\r\n");
        if (part.type === "text/plain") {
          const fold = foldPlainText(text);
          if (fold) expect(fold.shown + fold.folded).toBe(text);
        } else {
          const doc = new DOMParser().parseFromString(text, "text/html");
          const before = squash(doc.body.textContent ?? "");
          if (foldHtmlQuotes(doc, "…")) {
            expect(squash((doc.body.textContent ?? "").replace("…", "")), file).toBe(before);
          }
        }
      }
    }
  });
});

describe("through the sanitizer", () => {
  const options = {
    cid: () => null,
    allowRemote: false,
    origin: "https://mail.example.test",
  };

  it("folds the draft into a details element the final pass keeps", () => {
    const out = sanitizeEmailHtml(
      `<p style="color:red">Yes.</p><div>${ATTRIBUTION_HTML}</div><blockquote type="cite"><p style="color:blue">Lunch?</p><img src="https://tracker.example/x.gif"></blockquote>`,
      { ...options, foldLabel: "Show trimmed content" },
    );
    const doc = new DOMParser().parseFromString(out.html, "text/html");
    const details = doc.querySelector(`details.${FOLD_CLASS}`);
    expect(details?.hasAttribute("open")).toBe(false);
    expect(details?.querySelector("summary")?.getAttribute("aria-label")).toBe(
      "Show trimmed content",
    );
    expect(details?.querySelector("blockquote p")?.getAttribute("style")).toBe("color: blue;");
    expect(doc.querySelector("p")?.getAttribute("style")).toBe("color: red;");
    expect(details?.querySelector("img")?.hasAttribute("src")).toBe(false);
    expect(out.blocked).toBe(1);
  });

  it("folds nothing without a label, and nothing hostile comes through a fold", () => {
    const dirty = `<p>Hi</p><div>${ATTRIBUTION_HTML}</div><blockquote type="cite"><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a><style>@import "https://evil.example/a.css";</style></blockquote>`;
    expect(sanitizeEmailHtml(dirty, options).html).not.toContain("<details");
    const folded = sanitizeEmailHtml(dirty, { ...options, foldLabel: "…" }).html;
    expect(folded).toContain("<details");
    const doc = new DOMParser().parseFromString(folded, "text/html");
    for (const el of Array.from(doc.querySelectorAll("*"))) {
      for (const attr of Array.from(el.attributes)) {
        expect(attr.name.startsWith("on"), `${el.nodeName} ${attr.name}`).toBe(false);
        expect(attr.value.toLowerCase()).not.toContain("javascript:");
      }
    }
    expect(folded).not.toContain("evil.example");
  });
});
