/**
 * The composer's fields: From (the user's address and identities, or the draft's own From until
 * the identities name it), To/Cc/Bcc as chips plus the text being typed, the subject, the
 * attachment list and the reply headers the draft carries. `read()` gives the latest values to
 * work that runs later (saves, Send); `build()` turns them and the editor's body into the
 * protocol draft. Uploading files and checking before Send live in their own hooks.
 */
import type { TComposeDraft, TIdentity } from "@ferry/protocol";
import { useMemo, useRef, useState } from "react";
import type { RecipientValue } from "@/components/compose/recipient-field";
import type { EditorHandle } from "@/components/compose/rich-editor";
import { useIdentities } from "@/hooks/use-compose";
import { fromComposeAddresses, parseRecipients } from "@/lib/compose/addresses";
import {
  type ComposeAttachmentItem,
  type ComposeFields,
  isEmptyDraft,
  toDraft,
} from "@/lib/compose/draft";

/** One choice in the From menu. */
export interface FromOption {
  key: string;
  identityId: string | null;
  name: string;
  address: string;
  signature: string;
}

function fromOptions(email: string, identities: TIdentity[]): FromOption[] {
  const own = identities.find((i) => i.address.toLowerCase() === email.toLowerCase());
  const options: FromOption[] = own
    ? []
    : [{ key: "self", identityId: null, name: "", address: email, signature: "" }];
  for (const i of identities) {
    options.push({
      key: i.id,
      identityId: i.id,
      name: i.name,
      address: i.address,
      signature: i.signature,
    });
  }
  return options;
}

function pickOption(
  options: FromOption[],
  from: { address: string },
  identityId: string | null,
  exact = false,
): FromOption | undefined {
  return (
    options.find((o) => identityId !== null && o.identityId === identityId) ??
    options.find((o) => o.address.toLowerCase() === from.address.toLowerCase()) ??
    (exact ? undefined : options[0])
  );
}

export function fromLabel(o: { name: string; address: string }): string {
  return o.name ? `${o.name} <${o.address}>` : o.address;
}

let nextAttachmentKey = 1;

/** A key for a new item in an attachment list, unique on the page. */
export function newAttachmentKey(): string {
  return `a${nextAttachmentKey++}`;
}

/** The field with the typed text turned into chips. */
export function commitText(v: RecipientValue): RecipientValue {
  return v.text.trim() === "" ? v : { chips: [...v.chips, ...parseRecipients(v.text)], text: "" };
}

/** The protocol draft for the fields as they are, and whether there is anything in it. */
export interface BuiltDraft {
  draft: ReturnType<typeof toDraft>;
  empty: boolean;
  /** False when the editor is gone (unmounted): the body is unknown then. */
  hasEditor: boolean;
}

export function useComposeFields(draft: TComposeDraft | null, email: string) {
  const identities = useIdentities();
  const initialFrom = draft?.from ?? null;
  const initialIdentity = draft?.identityId ?? null;
  const options = useMemo(() => {
    const list = fromOptions(email, identities.data ?? []);
    // A draft from an address not (or not yet) among the identities keeps its From.
    if (initialFrom && !pickOption(list, initialFrom, initialIdentity, true)) {
      list.push({
        key: "draft",
        identityId: initialIdentity,
        name: initialFrom.name,
        address: initialFrom.address,
        signature: "",
      });
    }
    return list;
  }, [email, identities.data, initialFrom, initialIdentity]);
  // Until the user picks one, the From follows the draft (identities may arrive later).
  const [fromKey, setFromKey] = useState<string | null>(null);
  const from =
    (fromKey === null
      ? pickOption(options, initialFrom ?? { address: email }, initialIdentity)
      : options.find((o) => o.key === fromKey)) ?? options[0];
  const [to, setTo] = useState<RecipientValue>(() => ({
    chips: fromComposeAddresses(draft?.to ?? []),
    text: "",
  }));
  const [cc, setCc] = useState<RecipientValue>(() => ({
    chips: fromComposeAddresses(draft?.cc ?? []),
    text: "",
  }));
  const [bcc, setBcc] = useState<RecipientValue>(() => ({
    chips: fromComposeAddresses(draft?.bcc ?? []),
    text: "",
  }));
  const [showCc, setShowCc] = useState(() => (draft?.cc.length ?? 0) > 0);
  const [showBcc, setShowBcc] = useState(() => (draft?.bcc.length ?? 0) > 0);
  const [subject, setSubject] = useState(() => draft?.subject ?? "");
  const [attachments, setAttachments] = useState<ComposeAttachmentItem[]>(() =>
    (draft?.attachments ?? []).map((attachment) => ({
      kind: "existing",
      key: newAttachmentKey(),
      attachment,
    })),
  );
  const meta = useRef({
    inReplyTo: draft?.inReplyTo ?? null,
    references: draft?.references ?? [],
    source: draft?.source ?? null,
  });

  // The latest state, for saves that run later.
  const latest = useRef({ from, to, cc, bcc, subject, attachments });
  latest.current = { from, to, cc, bcc, subject, attachments };

  const taken = useMemo(
    () => new Set([...to.chips, ...cc.chips, ...bcc.chips].map((r) => r.address.toLowerCase())),
    [to.chips, cc.chips, bcc.chips],
  );

  const read = (): ComposeFields => {
    const state = latest.current;
    return {
      from: { name: state.from?.name ?? "", address: state.from?.address ?? email },
      identityId: state.from?.identityId ?? null,
      to: commitText(state.to).chips,
      cc: commitText(state.cc).chips,
      bcc: commitText(state.bcc).chips,
      subject: state.subject,
      attachments: state.attachments,
      ...meta.current,
    };
  };

  return {
    fromOptions: options,
    /** The From in use (undefined only while there is no option at all). */
    from,
    /** Picks the From `key`; returns it. */
    chooseFrom(key: string): FromOption | undefined {
      setFromKey(key);
      return options.find((o) => o.key === key);
    },
    to,
    cc,
    bcc,
    setTo,
    setCc,
    setBcc,
    showCc,
    showBcc,
    revealCc: () => setShowCc(true),
    revealBcc: () => setShowBcc(true),
    subject,
    setSubject,
    attachments,
    setAttachments,
    /** Addresses already among the recipients (lower case), for suggestions. */
    taken,
    read,
    /** Turns what is typed in To, Cc and Bcc into chips; returns the fields with them. */
    commitRecipients(): ComposeFields {
      const state = latest.current;
      setTo(commitText(state.to));
      setCc(commitText(state.cc));
      setBcc(commitText(state.bcc));
      return read();
    },
    /** The draft to save, with `editor`'s body (none when the editor is gone). */
    build(editor: EditorHandle | null): BuiltDraft {
      // A subject with a line break blocks Send; its draft is still saved, with spaces instead.
      const f = { ...read(), subject: latest.current.subject.replace(/[\r\n\0]+/g, " ") };
      const body = editor
        ? { html: editor.html(), text: editor.text(), blank: editor.blank() }
        : null;
      return {
        draft: toDraft(f, body?.html ?? "", body?.text ?? ""),
        empty: isEmptyDraft(f, body?.blank ?? true),
        hasEditor: body !== null,
      };
    },
  };
}

export type ComposeFieldsState = ReturnType<typeof useComposeFields>;
