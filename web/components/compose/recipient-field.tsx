"use client";
/**
 * A recipient field (To, Cc, Bcc): addresses as chips, typed into a combobox that suggests
 * addresses from the user's mail. Enter, Tab, comma or semicolon turns the text into a chip;
 * so does leaving the field, and pasting a list. Backspace in the empty field takes the last
 * chip back for editing. Chips that are not valid addresses are marked and named as such.
 */
import type { TAddress } from "@ferry/protocol";
import {
  type ClipboardEvent,
  type KeyboardEvent,
  type ReactNode,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import { useContactSuggestions } from "@/hooks/use-compose";
import {
  chipLabel,
  hasSeparator,
  parseRecipients,
  type Recipient,
  recipient,
} from "@/lib/compose/addresses";
import { t } from "@/lib/i18n";
import { CloseIcon } from "../icons";

export interface RecipientValue {
  chips: Recipient[];
  /** What is typed and not yet a chip. */
  text: string;
}

interface RecipientFieldProps {
  label: string;
  value: RecipientValue;
  onChange(next: RecipientValue): void;
  /** Addresses already in any field: not suggested again. */
  taken: ReadonlySet<string>;
  inputRef?: (el: HTMLInputElement | null) => void;
  /** Extra controls at the end of the row (the Cc/Bcc toggles). */
  trailing?: ReactNode;
}

export function RecipientField({
  label,
  value,
  onChange,
  taken,
  inputRef,
  trailing,
}: RecipientFieldProps) {
  const id = useId();
  const listId = `${id}-list`;
  const [focused, setFocused] = useState(false);
  const [activeIndex, setActiveIndex] = useState(-1);
  const [dismissed, setDismissed] = useState(false);
  const input = useRef<HTMLInputElement | null>(null);
  const raw = useContactSuggestions(focused ? value.text : "");
  const suggestions = useMemo(() => {
    const needle = value.text.trim().toLowerCase();
    return raw
      .filter((c) => !taken.has(c.address.toLowerCase()))
      .filter(
        (c) =>
          needle === "" ||
          c.address.toLowerCase().includes(needle) ||
          c.name.toLowerCase().includes(needle),
      )
      .slice(0, 8);
  }, [raw, taken, value.text]);
  const open = focused && !dismissed && suggestions.length > 0 && value.text.trim() !== "";
  const invalidCount = value.chips.filter((c) => !c.valid).length;

  const commit = (text: string, extra: Recipient[] = []) => {
    const added = parseRecipients(text);
    onChange({ chips: [...value.chips, ...extra, ...added], text: "" });
    setActiveIndex(-1);
  };

  const choose = (c: TAddress) => {
    onChange({ chips: [...value.chips, recipient(c.name, c.address)], text: "" });
    setActiveIndex(-1);
    input.current?.focus();
  };

  const remove = (chipId: string) => {
    onChange({ chips: value.chips.filter((c) => c.id !== chipId), text: value.text });
    input.current?.focus();
  };

  const edit = (chip: Recipient) => {
    const committed = value.text.trim() === "" ? [] : parseRecipients(value.text);
    onChange({
      chips: [...value.chips.filter((c) => c.id !== chip.id), ...committed],
      text: chip.name ? `${chip.name} <${chip.address}>` : chip.address,
    });
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" && suggestions.length > 0) {
      e.preventDefault();
      setDismissed(false);
      setActiveIndex((i) => (i + 1) % suggestions.length);
      return;
    }
    if (e.key === "ArrowUp" && suggestions.length > 0) {
      e.preventDefault();
      setActiveIndex((i) => (i <= 0 ? suggestions.length - 1 : i - 1));
      return;
    }
    if (e.key === "Escape" && open) {
      e.preventDefault();
      e.stopPropagation();
      setDismissed(true);
      return;
    }
    const chosen = open && activeIndex >= 0 ? suggestions[activeIndex] : undefined;
    if ((e.key === "Enter" || e.key === "Tab") && chosen && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      choose(chosen);
      return;
    }
    if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && value.text.trim() !== "") {
      e.preventDefault();
      commit(value.text);
      return;
    }
    if ((e.key === "," || e.key === ";") && value.text.trim() !== "") {
      e.preventDefault();
      commit(value.text);
      return;
    }
    if (e.key === "Backspace" && value.text === "" && value.chips.length > 0) {
      e.preventDefault();
      const last = value.chips[value.chips.length - 1];
      if (last) edit(last);
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData("text/plain");
    if (!hasSeparator(pasted) && !/\s\S+@/.test(pasted)) return;
    e.preventDefault();
    commit(`${value.text}${pasted}`);
  };

  return (
    <div className="flex min-h-11 items-start gap-2 border-b border-zinc-200 px-4 py-1 dark:border-zinc-800">
      <label htmlFor={id} className="w-14 shrink-0 pt-2 text-sm text-zinc-500">
        {label}
      </label>
      <div className="relative flex min-w-0 flex-1 flex-wrap items-center gap-1 py-1">
        {value.chips.length > 0 ? (
          <ul aria-label={t("compose.recipients", { field: label })} className="contents">
            {value.chips.map((chip) => (
              <li
                key={chip.id}
                className={`inline-flex max-w-full items-center gap-0.5 rounded-full py-0.5 pr-0.5 pl-2.5 text-sm ${
                  chip.valid
                    ? "bg-zinc-100 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-100"
                    : "bg-red-100 text-red-900 ring-1 ring-red-600 dark:bg-red-950 dark:text-red-100"
                }`}
              >
                <button
                  type="button"
                  onClick={() => edit(chip)}
                  aria-label={
                    chip.valid
                      ? chip.name
                        ? `${chip.name} <${chip.address}>`
                        : chip.address
                      : t("compose.chip.invalidLabel", { address: chip.address || chip.name })
                  }
                  title={
                    chip.valid
                      ? chip.address
                      : t("compose.chip.invalid", { address: chip.address || chip.name })
                  }
                  className="truncate"
                >
                  {chipLabel(chip)}
                </button>
                <button
                  type="button"
                  aria-label={t("compose.chip.remove", { address: chip.address || chip.name })}
                  onClick={() => remove(chip.id)}
                  className="inline-flex size-6 items-center justify-center rounded-full hover:bg-black/10 dark:hover:bg-white/10"
                >
                  <CloseIcon className="size-3.5" />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <input
          id={id}
          ref={(el) => {
            input.current = el;
            inputRef?.(el);
          }}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open && activeIndex >= 0 ? `${listId}-${activeIndex}` : undefined}
          aria-invalid={invalidCount > 0 || undefined}
          aria-describedby={invalidCount > 0 ? `${id}-invalid` : undefined}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          inputMode="email"
          value={value.text}
          onChange={(e) => {
            const text = e.target.value;
            setDismissed(false);
            setActiveIndex(-1);
            if (hasSeparator(text)) commit(text);
            else onChange({ chips: value.chips, text });
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onFocus={() => setFocused(true)}
          onBlur={() => {
            setFocused(false);
            if (value.text.trim() !== "") commit(value.text);
          }}
          className="min-w-32 flex-1 bg-transparent py-1 text-sm outline-none"
        />
        {invalidCount > 0 ? (
          <span id={`${id}-invalid`} className="sr-only">
            {t("compose.chip.invalidCount", { count: invalidCount })}
          </span>
        ) : null}
        <div
          id={listId}
          role="listbox"
          aria-label={t("compose.suggestions")}
          hidden={!open}
          className="absolute top-full left-0 z-10 mt-1 max-h-64 w-full min-w-64 overflow-y-auto rounded-xl border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          {open
            ? suggestions.map((c, i) => (
                <div
                  key={c.address}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === activeIndex}
                  tabIndex={-1}
                  // keep focus in the input: no blur commit
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choose(c)}
                  onKeyDown={() => undefined}
                  className="flex cursor-default flex-col px-3 py-1.5 text-sm aria-selected:bg-accent-50 hover:bg-zinc-100 dark:aria-selected:bg-accent-900 dark:hover:bg-zinc-800"
                >
                  {c.name ? <span className="font-medium">{c.name}</span> : null}
                  <span className="text-zinc-500">{c.address}</span>
                </div>
              ))
            : null}
        </div>
      </div>
      {trailing}
    </div>
  );
}
